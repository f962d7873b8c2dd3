using System.Net;
using Heck.Grains;
using Heck.Silo.Api;
using Heck.Silo.Cluster;
using Heck.Silo.Configuration;
using Heck.Silo.Logging;
using Heck.Silo.Metrics;
using Heck.Silo.OriginsFile;
using Heck.Silo.Security;

namespace Heck.Silo;

/// <summary>Builds the silo process: Orleans, durable storage, the HTTP API and the origins file.</summary>
public static class HeckHost
{
    /// <summary>
    /// Builds a ready-to-run host from the standard sources (appsettings.json, <c>Heck__…</c>
    /// environment variables, <c>--Heck:…</c> arguments). Throws <see cref="HeckConfigurationException"/>
    /// naming every bad key before anything starts. With <paramref name="rejoin"/> (from <see cref="SiloGenerations"/>),
    /// a silo the cluster declares dead asks there for a new generation instead of ending the process, and the
    /// peers its predecessor knew are added to the SWIM seeds; without it (tests), Orleans' own handling stays.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null, RejoinSignal? rejoin = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        customize?.Invoke(builder);
        var options = builder.AddHeckOptions();
        builder.AddHeckApi(options.Http);
        builder.AddHeckSecurity(options);
        var advertised = AdvertisedAddress.Resolve(options.Silo.AdvertisedAddress, Dns.GetHostAddresses);
        builder.UseOrleans(silo =>
        {
            silo.UseHeckMembership(options, advertised, rejoin?.Peers)
                .UseHeckSiloIdentity(options, advertised)
                .AddHeckGrains(Path.GetFullPath(options.Storage.Path, Environment.CurrentDirectory));
            if (rejoin is not null) silo.UseHeckRejoin(rejoin);
        });
        builder.AddOriginsFile(options);
        builder.AddHeckMetrics();
        ArtifactFilteringLoggerFactory.Install(builder.Services);
        var app = builder.Build().MapHeckApi();
        if (options.Membership.Provider == MembershipProvider.Swim && options.Swim.IsOpenBeyondLoopback(advertised.ToString()))
            app.Logger.LogWarning("SWIM runs unauthenticated on {Address} (Heck:Swim:AllowUnauthenticated = true): anyone who reaches port {Port} can forge members and deaths; set Heck:Swim:Keys",
                options.Swim.BindAddress ?? advertised.ToString(), options.Swim.Port);
        return app;
    }
}
