using Heck.Client.Cli;
using ClusterMember = Heck.Cluster.ClusterMember;

namespace Heck.Tests.Client;

/// <summary>What the commands print, against a <see cref="FakeCluster"/>.</summary>
public class CliOutputTests
{
    private readonly FakeCluster _cluster = new();

    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(_cluster, args);

    private static JsonElement Json(CliResult r)
    {
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    private static string[] Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task Add_json_is_created_and_the_origin_in_the_http_api_shape()
    {
        var r = await Run("origins", "add", "api", "https://api.example/health", "--interval-ms", "5000", "--json",
            "--header", "Host: api.example", "-H", "X-Probe: heck", "--body-contains", "ok", "--degraded-latency-ms", "800");
        var root = Json(r);
        Assert.True(root.GetProperty("created").GetBoolean());
        var origin = root.GetProperty("origin");
        Assert.Equal(["id", "url", "intervalMs", "timeoutMs", "method", "expectStatus", "bodyContains", "headers",
            "degradedLatencyMs", "healthyThreshold", "unhealthyThreshold", "reuseConnection", "health"], Names(origin));
        Assert.False(origin.GetProperty("reuseConnection").GetBoolean());
        Assert.Equal("api", origin.GetProperty("id").GetString());
        Assert.Equal(5000, origin.GetProperty("intervalMs").GetInt32());
        Assert.Equal(2000, origin.GetProperty("timeoutMs").GetInt32());
        Assert.Equal("GET", origin.GetProperty("method").GetString());
        Assert.Equal("200-399", origin.GetProperty("expectStatus").GetString());
        // Header names stay as written (no camelCase on dictionary keys).
        Assert.Equal("api.example", origin.GetProperty("headers").GetProperty("Host").GetString());
        Assert.Equal("heck", origin.GetProperty("headers").GetProperty("X-Probe").GetString());
        Assert.Equal("unknown", origin.GetProperty("health").GetProperty("status").GetString());

        var again = Json(await Run("origins", "add", "api", "https://api.example/health", "--json"));
        Assert.False(again.GetProperty("created").GetBoolean());
    }

    [Fact]
    public async Task Nulls_and_http_only_fields_of_a_tcp_origin_are_left_out()
    {
        var r = await Run("origins", "add", "db", "tcp://db.internal:5432", "--json");
        var origin = Json(r).GetProperty("origin");
        Assert.Equal(["id", "url", "intervalMs", "timeoutMs", "healthyThreshold", "unhealthyThreshold", "health"], Names(origin));
        Assert.Equal("tcp://db.internal:5432", origin.GetProperty("url").GetString());
        Assert.Equal(["status", "stale", "since", "owner", "consecutiveSuccesses", "consecutiveFailures"], Names(origin.GetProperty("health")));
    }

    [Fact]
    public async Task Ls_json_is_items_with_lower_case_statuses_and_can_filter_by_status()
    {
        _cluster.Put(FakeCluster.View("b", "http://b.example/", HealthStatus.Unhealthy, "connection refused"));
        _cluster.Put(FakeCluster.View("a", "http://a.example/", HealthStatus.Healthy));
        _cluster.Put(FakeCluster.View("c", "tcp://c.example:1", HealthStatus.Degraded));

        var all = Json(await Run("origins", "ls", "--json")).GetProperty("items");
        Assert.Equal(["a", "b", "c"], all.EnumerateArray().Select(o => o.GetProperty("id").GetString()));
        Assert.Equal(["healthy", "unhealthy", "degraded"], all.EnumerateArray().Select(o => o.GetProperty("health").GetProperty("status").GetString()));
        var b = all[1].GetProperty("health");
        Assert.Equal("connection refused", b.GetProperty("lastError").GetString());
        Assert.Equal(12.3, b.GetProperty("lastLatencyMs").GetDouble()); // rounded to 0.1 ms, as the API does
        Assert.Equal("2025-01-31T12:00:00+00:00", b.GetProperty("since").GetString());

        var unhealthy = Json(await Run("--json", "origins", "ls", "--status", "unhealthy")).GetProperty("items");
        Assert.Equal(["b"], unhealthy.EnumerateArray().Select(o => o.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Ls_prints_a_plain_table_when_not_on_a_terminal()
    {
        _cluster.Put(FakeCluster.View("a", "http://a.example/", HealthStatus.Healthy));
        _cluster.Put(FakeCluster.View("b", "http://b.example/", HealthStatus.Unhealthy, "timeout [after 2000 ms]"));

        var r = await Run("origins", "ls");
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.DoesNotContain("\u001b", r.Stdout); // no colour codes in a pipe
        foreach (var header in new[] { "ID", "STATUS", "URL", "SINCE", "LAST LATENCY", "LAST ERROR", "OWNER" })
            Assert.Contains(header, r.Stdout);
        var row = r.Stdout.Split('\n').Single(l => l.Contains("b.example", StringComparison.Ordinal));
        Assert.Contains("unhealthy", row);
        Assert.Contains("timeout [after 2000 ms]", row); // markup characters in data are shown, not interpreted
        Assert.Contains("12.3 ms", row);
        Assert.Contains("10.0.0.1:11111", row);
    }

    [Fact]
    public async Task Ls_of_nothing_says_so()
    {
        var r = await Run("origins", "ls", "--status", "degraded");
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.Equal("No degraded origins.", r.Stdout.Trim());
        Assert.Equal([], Json(await Run("origins", "ls", "--json")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Get_shows_the_origin_and_exits_1_with_a_message_when_it_is_unknown()
    {
        _cluster.Put(FakeCluster.View("a", "http://a.example/", HealthStatus.Healthy));

        var json = Json(await Run("origins", "get", "a", "--json"));
        Assert.Equal("a", json.GetProperty("id").GetString());
        Assert.Equal(200, json.GetProperty("health").GetProperty("lastStatusCode").GetInt32());

        var human = await Run("origins", "get", "a");
        Assert.True(human.ExitCode == ExitCodes.Ok, human.ToString());
        Assert.Contains("http://a.example/", human.Stdout);
        Assert.Contains("healthy", human.Stdout);

        var missing = await Run("origins", "get", "zzz");
        Assert.True(missing.ExitCode == ExitCodes.Failed, missing.ToString());
        Assert.Equal("heck: origin 'zzz' not found", missing.Stderr.Trim());
        Assert.Equal("", missing.Stdout);
    }

    [Fact]
    public async Task A_stale_verdict_shows_as_unknown_with_its_age_in_json_tables_and_details()
    {
        var fresh = FakeCluster.View("a", "http://a.example/", HealthStatus.Healthy);
        _cluster.Put(fresh with { Health = fresh.Health with { AgeMs = 900 } });
        var stale = FakeCluster.View("b", "http://b.example/", HealthStatus.Unknown);
        _cluster.Put(stale with { Health = stale.Health with { Stale = true, AgeMs = 42_500 } });

        var items = Json(await Run("origins", "ls", "--json")).GetProperty("items");
        Assert.False(items[0].GetProperty("health").GetProperty("stale").GetBoolean());
        Assert.Equal(900, items[0].GetProperty("health").GetProperty("ageMs").GetInt64());
        var b = items[1].GetProperty("health");
        Assert.Equal("unknown", b.GetProperty("status").GetString());
        Assert.True(b.GetProperty("stale").GetBoolean());
        Assert.Equal(42_500, b.GetProperty("ageMs").GetInt64());

        var table = await Run("origins", "ls");
        var row = table.Stdout.Split('\n').Single(l => l.Contains("b.example", StringComparison.Ordinal));
        Assert.Contains("unknown (stale, last seen 42 s ago)", row);
        Assert.DoesNotContain("stale", table.Stdout.Split('\n').Single(l => l.Contains("a.example", StringComparison.Ordinal)));

        var details = await Run("origins", "get", "b");
        Assert.Contains("unknown (stale, last seen 42 s ago)", details.Stdout);
    }

    [Theory]
    [InlineData(999L, "999 ms")]
    [InlineData(42_500L, "42 s")]
    [InlineData(119_999L, "119 s")]
    [InlineData(420_000L, "7 min")]
    [InlineData(10_800_000L, "3 h")]
    [InlineData(172_800_000L, "2 d")]
    public void Ages_read_in_a_whole_unit(long ms, string text) => Assert.Equal(text, Render.Age(ms));

    [Fact]
    public async Task Rm_removes_and_exits_1_when_there_was_nothing_to_remove()
    {
        _cluster.Put(FakeCluster.View("a", "http://a.example/"));

        var removed = Json(await Run("origins", "rm", "a", "--json"));
        Assert.Equal("a", removed.GetProperty("id").GetString());
        Assert.True(removed.GetProperty("removed").GetBoolean());

        var again = await Run("origins", "remove", "a");
        Assert.True(again.ExitCode == ExitCodes.Failed, again.ToString());
        Assert.Contains("origin 'a' not found", again.Stderr);
    }

    [Fact]
    public async Task Add_reports_errors_that_the_cluster_finds_as_a_usage_error()
    {
        _cluster.NextConfigureResult = new(false, null, [new("url", "refused by the silo")]);
        var r = await Run("origins", "add", "a", "http://a.example/");
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Equal("url: refused by the silo", r.Stderr.Trim());
    }

    [Fact]
    public async Task Members_json_and_table()
    {
        _cluster.Members.Add(new ClusterMember { Address = "10.0.0.1:11111", Status = "alive", Generation = 42, Gateway = "10.0.0.1:30000" });
        _cluster.Members.Add(new ClusterMember { Address = "10.0.0.2:11111", Status = "suspect", Generation = 43 });

        var members = Json(await Run("members", "--json")).GetProperty("members");
        Assert.Equal(["address", "status", "generation", "gateway"], Names(members[0]));
        Assert.Equal("suspect", members[1].GetProperty("status").GetString());
        Assert.Equal(43, members[1].GetProperty("generation").GetInt32());

        var table = await Run("members");
        Assert.True(table.ExitCode == ExitCodes.Ok, table.ToString());
        foreach (var text in new[] { "ADDRESS", "STATUS", "GENERATION", "GATEWAY", "10.0.0.2:11111", "suspect", "42", "10.0.0.1:30000" })
            Assert.Contains(text, table.Stdout);
    }
}
