using Heck.Membership.Orleans;
using Heck.Membership.Swim;
using Heck.Tests.Membership;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Heck.Tests.MembershipOrleans;

/// <summary>A test grain: answers with the silo it runs on.</summary>
public interface ISwimPingGrain : IGrainWithStringKey
{
    Task<string> Where();
}

public sealed class SwimPingGrain : Grain, ISwimPingGrain
{
    public Task<string> Where() => Task.FromResult(RuntimeIdentity);
}

/// <summary>An Orleans silo in this process, clustered by SWIM on 127.0.0.1 free ports, with fast SWIM timings.</summary>
internal sealed class SwimTestSilo : IAsyncDisposable
{
    public static readonly SwimSettings Fast = FastSwim.Settings with { JoinRetryInterval = TimeSpan.FromMilliseconds(200) };

    private bool _stopped;

    private SwimTestSilo(IHost host)
    {
        Host = host;
        Swim = host.Services.GetRequiredService<SwimMembership>();
        Address = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        Membership = host.Services.GetRequiredService<IClusterMembershipService>();
        Grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    public IHost Host { get; }
    public SwimMembership Swim { get; }
    public SiloAddress Address { get; }
    public IClusterMembershipService Membership { get; }
    public IGrainFactory Grains { get; }
    /// <summary>This silo's SWIM endpoint, usable as a seed.</summary>
    public string Seed => $"127.0.0.1:{Swim.Self!.Value.Port}";

    public static IHost Build(string clusterId, IEnumerable<string> seeds, Action<SwimClusteringOptions>? tweak = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        ConfigureLogging(builder.Logging);
        var seedList = seeds.ToList();
        builder.UseOrleans(silo =>
        {
            silo.UseSwimClustering(o =>
            {
                o.Port = 0;
                o.BindAddress = "127.0.0.1";
                o.Seeds = seedList;
                o.Settings = Fast;
                o.JoinTimeout = TimeSpan.FromSeconds(10);
                o.LeavePropagation = TimeSpan.FromMilliseconds(300);
                tweak?.Invoke(o);
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort.Next(), FreePort.Next());
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
        });
        return builder.Build();
    }

    public static async Task<SwimTestSilo> StartAsync(string clusterId, IEnumerable<string> seeds, Action<SwimClusteringOptions>? tweak = null)
    {
        var host = Build(clusterId, seeds, tweak);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(cts.Token);
        return new SwimTestSilo(host);
    }

    public static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("HECK_TEST_LOGS") is { Length: > 0 }) logging.AddConsole();
    }

    /// <summary>Statuses of every silo as this silo's Orleans membership currently sees them.</summary>
    public IReadOnlyDictionary<SiloAddress, SiloStatus> Statuses() =>
        Membership.CurrentSnapshot.Members.ToDictionary(m => m.Key, m => m.Value.Status);

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Host.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (Host is IAsyncDisposable d) await d.DisposeAsync();
            else Host.Dispose();
        }
    }
}
