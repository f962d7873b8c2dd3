using Xunit.Abstractions;

namespace Heck.Tests.Metrics;

/// <summary>
/// A real Prometheus (the machine's <c>prometheus</c>, see <c>.ci/prometheus.sh</c>) scrapes three real silo processes
/// every second; PromQL through its HTTP API sees each origin once, from its owner, and its status follow a target
/// that starts failing.
/// </summary>
[Trait("Category", "Process")]
[Collection(ClusterCollection.Name)]
public sealed class PrometheusScrapeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Origins = 6;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private TargetServer _target = null!;
    private LocalCluster _cluster = null!;
    private PrometheusServer _prometheus = null!;

    public async Task InitializeAsync()
    {
        _target = await TargetServer.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        _cluster = await LocalCluster.StartAsync(3, cts.Token);
        _prometheus = await PrometheusServer.StartAsync(_cluster.Silos.Select(s => $"127.0.0.1:{s.HttpPort}"), cts.Token);
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null) await _prometheus.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (_target is not null) await _target.DisposeAsync();
    }

    private async Task<string> OwnerAsync(string id)
    {
        var body = await _cluster.Silos[0].Http.GetFromJsonAsync<JsonElement>($"/api/origins/{id}");
        return body.GetProperty("health").TryGetProperty("owner", out var owner) ? owner.GetString() ?? "" : "";
    }

    [Fact]
    public async Task Prometheus_sees_each_origin_once_from_its_owner_and_its_status_follow_a_failing_target()
    {
        var ids = Enumerable.Range(0, Origins).Select(i => $"m{i}").ToList();
        foreach (var id in ids)
            (await _cluster.Silos[0].Http.PutAsJsonAsync($"/api/origins/{id}",
                new { url = _target.Url("/" + id), intervalMs = 1000, timeoutMs = 900, healthyThreshold = 1, unhealthyThreshold = 1 })).EnsureSuccessStatusCode();

        // Every origin probed, every silo scraped: then each origin is one series, labelled with its owner.
        try
        {
            await Eventually.Until(() => _prometheus.QueryAsync("heck_probe_success"),
                r => ids.All(id => r.Count(s => s.Labels["origin"] == id) == 1), Within, "each origin scraped exactly once");
        }
        finally
        {
            output.WriteLine(string.Join("\n", (await _prometheus.TargetHealthAsync()).Select(t => $"{t.Key}: {t.Value}")));
        }
        for (var round = 0; round < 3; round++)
        {
            var success = await _prometheus.QueryAsync("heck_probe_success");
            Assert.Equal(Origins, success.Count);
            foreach (var id in ids)
            {
                var series = Assert.Single(success, s => s.Labels["origin"] == id);
                Assert.Equal("http", series.Labels["kind"]);
                Assert.Equal(await OwnerAsync(id), series.Labels["silo"]);
            }
            // Every silo is scraped (a silo that owns none of the six still reports its cluster series).
            Assert.Equal(3, (await _prometheus.QueryAsync("heck_build_info")).Count);
            await Task.Delay(PrometheusServer.ScrapeInterval);
        }
        var perSilo = await _prometheus.QueryAsync("count by (silo) (heck_probe_success)");
        Assert.Equal(Origins, perSilo.Sum(s => s.Value));
        output.WriteLine("origins per silo: " + string.Join(", ", perSilo.Select(s => $"{s.Labels["silo"]}={s.Value}")));

        // The target of m0 starts failing: its owner's series turn from healthy to unhealthy (the others are not
        // asserted: on a starved host a probe of theirs may time out too).
        await Eventually.Until(() => _prometheus.QueryAsync("heck_origin_status{origin=\"m0\",status=\"healthy\"} == 1"),
            r => r.Count == 1, Within, "m0 healthy in Prometheus");
        _target.Set("/m0", TargetMode.Failing);
        var unhealthy = await Eventually.Until(() => _prometheus.QueryAsync("heck_origin_status{origin=\"m0\",status=\"unhealthy\"}"),
            r => r.Count == 1 && r[0].Value == 1, Within, "m0 unhealthy in Prometheus");
        Assert.Equal(await OwnerAsync("m0"), unhealthy[0].Labels["silo"]);
        Assert.Empty(await _prometheus.QueryAsync("heck_origin_status{origin=\"m0\",status=\"healthy\"} == 1"));
        Assert.Equal(0, Assert.Single(await _prometheus.QueryAsync("heck_probe_success{origin=\"m0\"}")).Value);
        Assert.True(Assert.Single(await _prometheus.QueryAsync("heck_origin_transitions_total{origin=\"m0\"}")).Value >= 2,
            "unknown -> healthy -> unhealthy");

        // Every query of the shipped Grafana dashboard parses and runs against these series.
        var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Deployment.DeploymentFiles.DockerDirectory, "grafana", "heck-dashboard.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        Assert.NotEmpty(queries);
        foreach (var query in queries) await _prometheus.QueryAsync(query.Replace("$origin", ".*"));
        Assert.NotEmpty(await _prometheus.QueryAsync("heck_swim_members{status=\"alive\"}"));
    }
}
