using Heck.Silo.Metrics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Heck.Tests.Metrics;

/// <summary><c>GET /metrics</c> on a real silo host in the test process: text exposition with the series Heck names.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class MetricsEndpointTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static async Task<List<Exposition.Sample>> ScrapeAsync(InProcessSilo silo)
    {
        using var response = await silo.Http.GetAsync(MetricsExtensions.Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return Exposition.Parse(await response.Content.ReadAsStringAsync());
    }

    private static Endpoint MetricsEndpoint(InProcessSilo silo) =>
        silo.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Single(e => e is RouteEndpoint r && r.RoutePattern.RawText == MetricsExtensions.Path);

    [Fact]
    public async Task Metrics_answers_text_exposition_with_the_owners_origin_series_and_the_cluster_series()
    {
        await using var target = await TargetServer.StartAsync();
        await using var silo = await InProcessSilo.StartAsync();
        (await silo.Http.PutAsJsonAsync("/api/origins/web", new { url = target.Url("/web"), intervalMs = 200 })).EnsureSuccessStatusCode();
        (await silo.Http.PutAsJsonAsync("/api/origins/db", new { url = $"tcp://127.0.0.1:{target.Port}", intervalMs = 200 })).EnsureSuccessStatusCode();
        await Eventually.Until(async () => (await silo.StatusOfAsync("web"), await silo.StatusOfAsync("db")),
            s => s == ("healthy", "healthy"), Within, "both origins healthy");

        var samples = await Eventually.Until(() => ScrapeAsync(silo),
            s => s.Named("heck_probe_success").Of("web").Any() && s.Named("heck_probe_success").Of("db").Any(), Within, "both origins scraped");
        var silo0 = $"127.0.0.1:{silo.SiloPort}";

        var web = Assert.Single(samples.Named("heck_probe_success").Of("web"));
        Assert.Equal(1, web.Value);
        Assert.Equal("http", web.Labels["kind"]);
        Assert.Equal(silo0, web.Labels["silo"]);
        Assert.Equal("tcp", Assert.Single(samples.Named("heck_probe_success").Of("db")).Labels["kind"]);
        Assert.Equal(200, Assert.Single(samples.Named("heck_probe_http_status_code").Of("web")).Value);
        Assert.Empty(samples.Named("heck_probe_http_status_code").Of("db")); // TCP has no status code

        var status = samples.Named("heck_origin_status").Of("web").ToDictionary(s => s.Labels["status"], s => s.Value);
        Assert.Equal(new Dictionary<string, double> { ["unknown"] = 0, ["healthy"] = 1, ["degraded"] = 0, ["unhealthy"] = 0 }, status);
        Assert.True(Assert.Single(samples.Named("heck_origin_transitions_total").Of("web")).Value >= 1, "unknown -> healthy counted");
        Assert.True(samples.Named("heck_probe_duration_seconds_count").Of("web").Single().Value >= 1, "probe durations observed");
        Assert.NotEmpty(samples.Named("heck_probe_duration_seconds_bucket").Of("web"));

        Assert.Equal(1, Assert.Single(samples.Named("heck_build_info")).Value);
        Assert.Equal(1, samples.Named("heck_swim_members").Single(s => s.Labels["status"] == "alive").Value);
        Assert.Equal(2, Assert.Single(samples.Named("heck_origins_owned")).Value);
        Assert.Contains(samples, s => s.Name.StartsWith("microsoft_orleans_", StringComparison.Ordinal));
        Assert.Contains(samples.Named("heck_swim_bytes_total"), s => s.Labels["direction"] == "sent");
        Assert.All(samples.Where(s => s.Name.StartsWith("heck_", StringComparison.Ordinal)), s => Assert.Equal(silo0, s.Labels["silo"]));
        // No token configured and Anonymous unset: nothing marks the endpoint anonymous (the read scope will apply).
        Assert.Null(MetricsEndpoint(silo).Metadata.GetMetadata<IAllowAnonymous>());

        // A removed origin's gauges leave the output (it is no longer owned here).
        (await silo.Http.DeleteAsync("/api/origins/web")).EnsureSuccessStatusCode();
        await Eventually.Until(() => ScrapeAsync(silo), s => !s.Named("heck_probe_success").Of("web").Any() && !s.Named("heck_origin_status").Of("web").Any(),
            Within, "the removed origin's gauges are gone");
    }

    [Fact]
    public async Task With_tokens_metrics_needs_the_read_scope_unless_anonymous()
    {
        await using (var guarded = await InProcessSilo.StartAsync(extraArgs: [.. Heck.Tests.Security.ApiClients.TokenArgs()]))
        {
            Assert.Null(MetricsEndpoint(guarded).Metadata.GetMetadata<IAllowAnonymous>());
            using var refused = await guarded.Http.GetAsync(MetricsExtensions.Path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await using var silo = await InProcessSilo.StartAsync(extraArgs: [.. Heck.Tests.Security.ApiClients.TokenArgs(), "--Heck:Metrics:Anonymous=true"]);
        Assert.NotNull(MetricsEndpoint(silo).Metadata.GetMetadata<IAllowAnonymous>());
        Assert.NotEmpty(await ScrapeAsync(silo));
    }
}
