using Heck.Silo.Configuration;
using Heck.Silo.Security;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Heck.Silo.Metrics;

public static class MetricsExtensions
{
    /// <summary>The path Prometheus scrapes on every silo's HTTP port.</summary>
    public const string Path = "/metrics";

    /// <summary>The cluster series and the Prometheus export of this silo's meters (see <see cref="PrometheusExport"/>).</summary>
    public static WebApplicationBuilder AddHeckMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ClusterMetrics>();
        builder.Services.AddSingleton<PrometheusExport>().AddHostedService(sp => sp.GetRequiredService<PrometheusExport>());
        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c>: Prometheus text exposition (format 0.0.4) of this silo's series, for the <c>read</c> scope,
    /// or for any caller when <c>Heck:Metrics:Anonymous</c> is true.
    /// </summary>
    public static IEndpointConventionBuilder MapHeckMetrics(this WebApplication app)
    {
        var export = app.Services.GetRequiredService<PrometheusExport>();
        var endpoint = app.MapMetrics(settings =>
        {
            settings.Registry = export.Registry;
            // One format whatever the scraper asks for: prometheus-net writes .NET counters as gauges, which the
            // classic text format allows under any name.
            settings.EnableOpenMetrics = false;
        }, Path);
        if (app.Services.GetRequiredService<IOptions<HeckOptions>>().Value.Metrics.Anonymous) endpoint.AllowAnyCaller();
        else endpoint.RequireScope(ApiScope.Read);
        return endpoint;
    }
}
