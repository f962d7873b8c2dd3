using Heck.Client.Sdk;
using Heck.Client.Cli;

namespace Heck.Tests.EndToEnd;

/// <summary>The SDK and the `heck` CLI against a real silo host, through its client gateway.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class ClientAgainstSiloTests : IAsyncLifetime
{
    private TargetServer _target = null!;
    private InProcessSilo _silo = null!;
    private HeckClient _client = null!;

    public async Task InitializeAsync()
    {
        _target = await TargetServer.StartAsync();
        _silo = await InProcessSilo.StartAsync();
        _client = await HeckClient.ConnectAsync(new HeckClientOptions { Gateways = { $"127.0.0.1:{_silo.GatewayPort}" } });
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _silo.DisposeAsync();
        await _target.DisposeAsync();
    }

    private async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var all = new List<string> { "--gateway", $"127.0.0.1:{_silo.GatewayPort}" };
        all.AddRange(args);
        var code = await HeckCli.RunAsync(all.ToArray(), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Sdk_upserts_reads_watches_and_removes()
    {
        var created = await _client.UpsertOriginAsync("sdk", new OriginInput { Url = _target.Url("/sdk"), IntervalMs = 200, UnhealthyThreshold = 1 });
        Assert.True(created.Created);
        var replaced = await _client.UpsertOriginAsync("sdk", new OriginInput { Url = _target.Url("/sdk"), IntervalMs = 200, UnhealthyThreshold = 1 });
        Assert.False(replaced.Created);

        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var seen = new List<TransitionEvent>();
        var watch = Task.Run(async () =>
        {
            await foreach (var e in _client.WatchAsync("sdk", watching.Token))
            {
                seen.Add(e);
                // On a loaded machine a cold first probe may time out (unknown -> unhealthy) before
                // the origin turns healthy; the failure this test causes is healthy -> unhealthy.
                if (e.Transition is { From: HealthStatus.Healthy, To: HealthStatus.Unhealthy }) break;
            }
        });

        await Eventually.Until(() => _client.GetOriginAsync("sdk"), v => v?.Health.Status == HealthStatus.Healthy, TimeSpan.FromSeconds(15), "healthy");
        _target.Set("/sdk", TargetMode.Failing);
        await watch;
        Assert.Contains(seen, e => e.Transition is { From: HealthStatus.Healthy, To: HealthStatus.Unhealthy });
        Assert.All(seen, e => Assert.Equal("sdk", e.OriginId));
        // The list, from the gateway's replica, holds what the watch showed, in the same (stamp) order.
        var stamps = (await _client.GetTransitionsAsync("sdk"))!.Select(t => t.Stamp).ToList();
        Assert.Equal(stamps.Order(), stamps);
        Assert.Equal(seen.Select(e => e.Stamp), stamps.Where(s => seen.Any(e => e.Stamp == s)));
        Assert.Null(await _client.GetTransitionsAsync("nobody"));

        var unhealthy = await _client.ListOriginsAsync(HealthStatus.Unhealthy);
        Assert.Equal(["sdk"], unhealthy.Select(v => v.Spec.Id));
        var member = Assert.Single(await _client.GetMembersAsync());
        Assert.Equal("alive", member.Status);

        Assert.True(await _client.RemoveOriginAsync("sdk"));
        Assert.Null(await _client.GetOriginAsync("sdk"));
        Assert.False(await _client.RemoveOriginAsync("sdk"));
    }

    [Fact]
    public async Task Sdk_validation_errors_carry_the_api_field_names_and_store_nothing()
    {
        var e = await Assert.ThrowsAsync<HeckValidationException>(() =>
            _client.UpsertOriginAsync("bad id", new OriginInput { Url = "ftp://x/", IntervalMs = 5 }));
        Assert.Equal(["id", "url", "intervalMs"], e.Errors.Select(f => f.Field));
        Assert.Empty(await _client.ListOriginsAsync());
    }

    [Fact]
    public async Task Cli_adds_lists_gets_and_removes()
    {
        // A starved CI host can time out a few probes in a row; this test is about the CLI, so
        // the origin tolerates that rather than turning unhealthy between the commands.
        var add = await CliAsync("origins", "add", "cli", _target.Url("/cli"), "--interval-ms", "200", "--timeout-ms", "190",
            "--unhealthy-threshold", "100", "--header", "X-Probe: heck");
        Assert.True(add.Code == 0, add.Err);
        await Eventually.Until(() => _client.GetOriginAsync("cli"), v => v?.Health.Status == HealthStatus.Healthy, TimeSpan.FromSeconds(15), "healthy");

        var ls = await CliAsync("origins", "ls");
        Assert.Equal(0, ls.Code);
        Assert.Contains("cli", ls.Out);
        Assert.Contains("healthy", ls.Out);

        var get = await CliAsync("--json", "origins", "get", "cli");
        Assert.Equal(0, get.Code);
        using (var json = JsonDocument.Parse(get.Out))
        {
            Assert.Contains("cli", json.RootElement.GetRawText());
            Assert.Contains("\"healthy\"", json.RootElement.GetRawText());
        }

        var members = await CliAsync("members");
        Assert.Equal(0, members.Code);
        Assert.Contains($"127.0.0.1:{_silo.SiloPort}", members.Out);

        Assert.Equal(0, (await CliAsync("origins", "rm", "cli")).Code);
        var missing = await CliAsync("origins", "get", "cli");
        Assert.Equal(1, missing.Code);
        Assert.Contains("cli", missing.Err);
        Assert.Equal(1, (await CliAsync("origins", "rm", "cli")).Code);
    }

    [Fact]
    public async Task Cli_rejects_bad_input_with_exit_code_2_and_stores_nothing()
    {
        var bad = await CliAsync("origins", "add", "x", "ftp://nowhere/", "--interval-ms", "5");
        Assert.Equal(2, bad.Code);
        Assert.Contains("url", bad.Err);
        Assert.Contains("--interval-ms: must be 100", bad.Err); // the CLI names its flags, not the API's fields
        Assert.Empty(await _client.ListOriginsAsync());
    }

    [Fact]
    public async Task Cli_watch_prints_transitions_and_stops_after_count()
    {
        await _client.UpsertOriginAsync("w", new OriginInput { Url = _target.Url("/w"), IntervalMs = 100, HealthyThreshold = 1, UnhealthyThreshold = 1 });
        var watch = CliAsync("watch", "w", "--count", "1", "--timeout-ms", "10000");
        // The watch sees what happens after it starts, so keep the origin flapping until it has seen some.
        var failing = false;
        for (var i = 0; i < 40 && !watch.IsCompleted; i++)
        {
            _target.Set("/w", (failing = !failing) ? TargetMode.Failing : TargetMode.Healthy);
            await Task.WhenAny(watch, Task.Delay(250));
        }
        var result = await watch;
        Assert.True(result.Code == 0, result.Err);
        Assert.Contains("w", result.Out);
        Assert.Matches("healthy|unhealthy", result.Out);
    }
}
