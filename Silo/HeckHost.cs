using System.Net;
using Heck.Grains;
using Heck.Grains.Cluster;
using Heck.Silo.Cluster;
using Heck.Membership.AdoNet;
using Heck.Membership.Orleans;
using Heck.Silo.Api;
using Heck.Silo.Configuration;
using Heck.Silo.OriginsFile;
using Orleans.Configuration;

namespace Heck.Silo;

/// <summary>Builds the silo process: Orleans, durable storage, the HTTP API and the origins file.</summary>
public static class HeckHost
{
    /// <summary>
    /// Builds a ready-to-run host from the standard sources (appsettings.json, <c>Heck__…</c>
    /// environment variables, <c>--Heck:…</c> arguments). Throws <see cref="HeckConfigurationException"/>
    /// naming every bad key before anything starts.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        customize?.Invoke(builder);
        var options = HeckOptionsLoader.Load(builder.Configuration);
        var originsFromFile = options.OriginsFile is { } file ? OriginsFileLoader.Load(file) : [];

        builder.Services.AddSingleton(options);
        builder.WebHost.UseUrls($"http://{FormatHost(options.Http.ListenAddress)}:{options.Http.Port}");
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ClusterUnavailable.Handler>();

        var advertised = AdvertisedAddress.Resolve(options.Silo.AdvertisedAddress, Dns.GetHostAddresses);
        builder.UseOrleans(silo =>
        {
            switch (options.Membership.Provider)
            {
                case MembershipProvider.Swim:
                    silo.UseSwimClustering(swim =>
                    {
                        var configured = options.Swim.ToClustering(advertised.ToString());
                        swim.Port = configured.Port;
                        swim.BindAddress = configured.BindAddress;
                        swim.AdvertiseHost = configured.AdvertiseHost;
                        swim.Seeds = configured.Seeds;
                        swim.Keys = configured.Keys;
                        swim.JoinTimeout = configured.JoinTimeout;
                        swim.Settings = configured.Settings;
                        swim.InjectedLossPercent = configured.InjectedLossPercent;
                    });
                    silo.Services.AddSingleton<IClusterViewSource, SwimClusterViewSource>();
                    break;
                case MembershipProvider.AdoNet:
                    silo.UseHeckAdoNetClustering(options.AdoNet.ConnectionString!);
                    break;
                default:
                    silo.UseDevelopmentClustering(options.Membership.PrimarySilo is { } primary
                        ? IPEndPoint.Parse(primary)
                        : new IPEndPoint(advertised, options.Silo.Port));
                    break;
            }
            silo.ConfigureEndpoints(advertised, options.Silo.Port, options.Silo.GatewayPort,
                listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            silo.Configure<ClusterOptions>(c =>
            {
                c.ClusterId = options.Cluster.Id;
                c.ServiceId = options.Cluster.ServiceId;
            });
            if (options.Silo.Name is { } name) silo.Configure<SiloOptions>(s => s.SiloName = name);
            silo.AddHeckGrains(Path.GetFullPath(options.Storage.Path, Environment.CurrentDirectory), gossip =>
            {
                gossip.IntervalMs = options.Gossip.IntervalMs;
                gossip.Fanout = options.Gossip.Fanout;
                gossip.AntiEntropyIntervalMs = options.Gossip.AntiEntropyIntervalMs;
                gossip.Mode = options.Gossip.Mode;
                gossip.CallTimeoutMs = options.Gossip.CallTimeoutMs;
                gossip.FullState = options.Gossip.FullState;
            }, confirmation => confirmation.Confirmers = options.Placement.Confirmers);
        });

        // Registered after Orleans, so it runs once the silo is active.
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<OriginsFileApplier>(sp, originsFromFile));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOriginEndpoints();
        app.MapClusterEndpoints();
        return app;
    }

    private static string FormatHost(string address) =>
        IPAddress.Parse(address) is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? $"[{address}]" : address;
}
