using Heck.Grains.Metrics;

namespace Heck.Tests.Metrics;

/// <summary>The pure parts of the per-origin series: labels, the one-hot status, and the replica lag.</summary>
public sealed class OriginSeriesTests
{
    private static OriginSpec Spec(string url) => new() { Id = "o", Url = url };

    [Theory]
    [InlineData("http://127.0.0.1:8080/health", "http")]
    [InlineData("https://example.test/", "https")]
    [InlineData("HTTPS://example.test/", "https")]
    [InlineData("tcp://127.0.0.1:5432", "tcp")]
    public void Kind_is_the_scheme_in_lower_case(string url, string kind) => Assert.Equal(kind, OriginSeries.Kind(Spec(url)));

    [Fact]
    public void Labels_are_origin_kind_and_silo_in_that_order()
    {
        var labels = OriginSeries.Labels("api", "https", "127.0.0.1:11111");
        Assert.Equal(["origin", "kind", "silo"], labels.Select(l => l.Key));
        Assert.Equal(["api", "https", "127.0.0.1:11111"], labels.Select(l => (string?)l.Value));
    }

    [Fact]
    public void Status_names_are_the_APIs()
    {
        Assert.Equal(["unknown", "healthy", "degraded", "unhealthy"], OriginSeries.Statuses.Select(OriginSeries.StatusName));
    }

    [FsCheck.Xunit.Property]
    public void One_hot_has_every_status_once_and_a_single_one_at_the_current_status(byte pick)
    {
        var status = OriginSeries.Statuses[pick % OriginSeries.Statuses.Count];
        var series = OriginSeries.OneHot(status).ToList();
        Assert.Equal(OriginSeries.Statuses.Select(OriginSeries.StatusName), series.Select(s => s.Status));
        Assert.Equal(1, series.Sum(s => s.Value));
        Assert.Equal(OriginSeries.StatusName(status), series.Single(s => s.Value == 1).Status);
        Assert.All(series, s => Assert.InRange(s.Value, 0, 1));
    }

    private static readonly ReplicaId[] Replicas = [new("a:1", 1), new("b:1", 1), new("b:1", 2)];

    private static Dot[] Dots(byte[]? bytes) => [.. (bytes ?? []).Select(b => new Dot(Replicas[b % 3], 1 + b / 3 % 9))];

    private static VersionVector Vector(IEnumerable<Dot> dots) => dots.Aggregate(VersionVector.Empty, (v, d) => v.Add(d));

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Lag_counts_the_dots_they_hold_that_we_lack(byte[] ours, byte[] theirs)
    {
        var (mine, other) = (Vector(Dots(ours)), Vector(Dots(theirs)));
        var expected = Replicas.SelectMany(r => Enumerable.Range(1, 10).Select(n => new Dot(r, n)))
            .Count(d => other.Contains(d) && !mine.Contains(d));
        Assert.Equal(expected, ReplicaLag.DotsBehind(mine, other));
    }

    [Fact]
    public void No_lag_behind_a_replica_we_include()
    {
        var a = Vector([new Dot(Replicas[0], 1), new Dot(Replicas[0], 2), new Dot(Replicas[1], 1)]);
        Assert.Equal(0, ReplicaLag.DotsBehind(a, a));
        Assert.Equal(0, ReplicaLag.DotsBehind(a, Vector([new Dot(Replicas[0], 1)])));
        Assert.Equal(2, ReplicaLag.DotsBehind(Vector([new Dot(Replicas[0], 1)]), a));
    }

    [Fact]
    public void Scrape_config_lists_every_target_scraped_every_second()
    {
        var config = PrometheusServer.ScrapeConfig(["127.0.0.1:8081", "127.0.0.1:8082"]);
        Assert.Contains("scrape_interval: 1s", config);
        Assert.Contains("metrics_path: /metrics", config);
        Assert.Contains("- '127.0.0.1:8081'", config);
        Assert.Contains("- '127.0.0.1:8082'", config);
    }
}
