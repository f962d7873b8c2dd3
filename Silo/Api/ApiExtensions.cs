using System.Net;
using System.Net.Sockets;
using Heck.Silo.Cluster;
using Heck.Silo.Configuration;
using Heck.Silo.Metrics;
using Heck.Silo.OriginsFile;
using Heck.Silo.Security;

namespace Heck.Silo.Api;

public static class ApiExtensions
{
    /// <summary>The HTTP API's listener, JSON conventions and problem responses.</summary>
    public static WebApplicationBuilder AddHeckApi(this WebApplicationBuilder builder, HeckOptions.HttpSection http)
    {
        var host = IPAddress.Parse(http.ListenAddress) is { AddressFamily: AddressFamily.InterNetworkV6 } ? $"[{http.ListenAddress}]" : http.ListenAddress;
        if (http.Certificate.IsSet)
        {
            // HTTPS only: a plain-HTTP listener beside it would carry the same tokens in clear.
            var certificate = ApiCertificate.Load(http.Certificate);
            builder.WebHost.UseUrls($"https://{host}:{http.Port}");
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        }
        else builder.WebHost.UseUrls($"http://{host}:{http.Port}");
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ClusterUnavailable.Handler>();
        // Before Orleans (registered later), so /api/cluster/traffic counts from the first message.
        builder.Services.AddSingleton<MessageTraffic>().AddHostedService(sp => sp.GetRequiredService<MessageTraffic>());
        return builder;
    }

    /// <summary>Every endpoint of the HTTP API.</summary>
    public static WebApplication MapHeckApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHeckSecurity();
        app.MapOriginEndpoints();
        app.MapWatchEndpoints();
        app.MapClusterEndpoints();
        app.MapOriginsFileEndpoints();
        app.MapHeckMetrics();
        return app;
    }
}
