using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;

namespace Heck.Membership.Orleans;

public static class SwimClusteringExtensions
{
    /// <summary>
    /// Silo side: SWIM membership as Orleans' <see cref="IMembershipTable"/> (see <see cref="AddSwimClustering"/>).
    /// Pair it with <c>ConfigureEndpoints</c>; the silo's advertised IP is also SWIM's default advertised host.
    /// </summary>
    public static ISiloBuilder UseSwimClustering(this ISiloBuilder builder, Action<SwimClusteringOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSwimClustering(configure);
        return builder;
    }

    /// <summary>
    /// Silo side: SWIM membership as Orleans' <see cref="IMembershipTable"/>, with Orleans' own failure detection
    /// unable to declare deaths.
    /// Options are validated here; an invalid one throws <see cref="ArgumentException"/> naming it.
    /// Also registers <see cref="SwimMembership"/> (the SWIM agent and its view) for diagnostics.
    /// </summary>
    public static IServiceCollection AddSwimClustering(this IServiceCollection services, Action<SwimClusteringOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = Configured<SwimClusteringOptions>(configure, o => o.ThrowIfInvalid());

        services.AddSingleton(Options.Create(options));
        services.AddSingleton(sp => new SwimMembership(options, sp.GetService<ILoggerFactory>()));
        services.AddSingleton(sp => new SwimMembershipTable(
            sp.GetRequiredService<SwimMembership>(),
            sp.GetRequiredService<ILocalSiloDetails>(),
            sp.GetService<ILogger<SwimMembershipTable>>(),
            sp.GetService<TimeProvider>()));
        services.AddSingleton<IMembershipTable>(sp => sp.GetRequiredService<SwimMembershipTable>());

        // SWIM is the one failure detector. PostConfigure: these win over any other ClusterMembershipOptions setup.
        services.PostConfigure<ClusterMembershipOptions>(o =>
        {
            o.LivenessEnabled = false;        // Orleans never writes a death (its DeclareDead becomes a no-op)
            o.NumProbedSilos = 1;             // its probing still runs; keep it to the minimum
            o.EnableIndirectProbes = false;
            o.UseLivenessGossip = false;      // SWIM gossips; Orleans' snapshot gossip would carry local-only versions
            o.TableRefreshTimeout = options.TableRefreshTimeout; // re-read the view often: reading it is free
        });
        return services;
    }

    /// <summary>Client side: find gateways through any of <paramref name="seeds"/> (SWIM "host:port"), without joining.</summary>
    public static IClientBuilder UseSwimGateways(this IClientBuilder builder, IEnumerable<string> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        var list = seeds.ToList();
        return builder.UseSwimGateways(o => o.Seeds = list);
    }

    /// <summary>Client side, with keys (an encrypted cluster) or other timings.</summary>
    public static IClientBuilder UseSwimGateways(this IClientBuilder builder, Action<SwimGatewayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Configured<SwimGatewayOptions>(configure, o => o.ThrowIfInvalid());
        builder.Services.AddSingleton<IGatewayListProvider>(sp => new SwimGatewayListProvider(
            options,
            sp.GetService<IOptions<ClusterOptions>>()?.Value.ClusterId,
            sp.GetService<ILogger<SwimGatewayListProvider>>()));
        builder.Services.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = options.RefreshPeriod);
        return builder;
    }

    /// <summary>New options as <paramref name="configure"/> sets them, validated before anything is registered.</summary>
    private static T Configured<T>(Action<T> configure, Action<T> validate) where T : new()
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new T();
        configure(options);
        validate(options);
        return options;
    }
}
