using System.Diagnostics;
using Heck.Client.Sdk;
using Heck.Client.Cli;

namespace Heck.Tests.Client;

/// <summary><c>heck watch</c> and <see cref="HeckClient.WatchAsync"/> against a <see cref="FakeCluster"/>.</summary>
public class WatchTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly FakeCluster _cluster = new();

    private async Task WatcherStarted(int watchers = 1) =>
        await Eventually.True(() => _cluster.WatchStarts >= watchers, Within, "the watcher took its position");

    [Fact]
    public async Task Prints_only_later_transitions_and_stops_at_count_with_exit_0()
    {
        _cluster.Transition("old", HealthStatus.Unknown, HealthStatus.Healthy); // before the watch: not shown
        var run = Cli.RunAsync(_cluster, ["watch", "--count", "2", "--json"]);
        await WatcherStarted();
        _cluster.Transition("a", HealthStatus.Unknown, HealthStatus.Healthy, "2 consecutive successes");
        _cluster.Transition("b", HealthStatus.Healthy, HealthStatus.Unhealthy, "3 consecutive failures: timeout");
        _cluster.Transition("c", HealthStatus.Healthy, HealthStatus.Degraded);

        var r = await run.WaitAsync(Within);
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(["sequence", "originId", "at", "from", "to", "reason"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("a", first.GetProperty("originId").GetString());
        Assert.Equal("unknown", first.GetProperty("from").GetString());
        Assert.Equal("healthy", first.GetProperty("to").GetString());
        Assert.Equal("unhealthy", JsonDocument.Parse(lines[1]).RootElement.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Filters_by_origin_and_target_status_and_prints_readable_lines()
    {
        var run = Cli.RunAsync(_cluster, ["watch", "api", "--to", "unhealthy", "--count", "1"]);
        await WatcherStarted();
        _cluster.Transition("other", HealthStatus.Healthy, HealthStatus.Unhealthy);
        _cluster.Transition("api", HealthStatus.Unknown, HealthStatus.Healthy);
        _cluster.Transition("api", HealthStatus.Healthy, HealthStatus.Unhealthy, "3 consecutive failures: connection refused");

        var r = await run.WaitAsync(Within);
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.Equal("2025-01-31T12:00:00.000Z  api  healthy → unhealthy  3 consecutive failures: connection refused", r.Stdout.Trim());
    }

    [Fact]
    public async Task A_timeout_before_count_is_exit_1_and_a_timeout_alone_is_exit_0()
    {
        var clock = Stopwatch.StartNew();
        var counted = await Cli.RunAsync(_cluster, ["watch", "--count", "1", "--timeout-ms", "300"]).WaitAsync(Within);
        Assert.True(counted.ExitCode == ExitCodes.Failed, counted.ToString());
        Assert.Contains("0 of 1", counted.Stderr);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300));

        var timed = await Cli.RunAsync(_cluster, ["watch", "--timeout-ms", "300"]).WaitAsync(Within);
        Assert.True(timed.ExitCode == ExitCodes.Ok, timed.ToString());
        Assert.Equal("", timed.Stdout);
    }

    [Fact]
    public async Task Ctrl_c_ends_an_open_watch_with_exit_0()
    {
        using var interrupt = new CancellationTokenSource();
        var run = Cli.RunAsync(_cluster, ["watch"], interrupt.Token);
        await WatcherStarted();
        _cluster.Transition("a", HealthStatus.Unknown, HealthStatus.Healthy);
        await Eventually.True(() => run.IsCompleted || _cluster.Calls.Count(c => c.EndsWith("TransitionsAfter", StringComparison.Ordinal)) > 2,
            Within, "the watcher polled again");
        interrupt.Cancel();

        var r = await run.WaitAsync(Within);
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.Contains("healthy", r.Stdout);
    }

    [Fact]
    public async Task Ctrl_c_on_other_commands_is_exit_130()
    {
        using var interrupt = new CancellationTokenSource();
        interrupt.Cancel();
        var r = await Cli.RunAsync(_cluster, ["origins", "ls"], interrupt.Token);
        Assert.True(r.ExitCode == ExitCodes.Interrupted, r.ToString());
    }

    [Fact]
    public async Task The_sdk_yields_later_transitions_of_the_origin_asked_for_until_cancelled()
    {
        await using var client = new HeckClient(_cluster.Client) { WatchPollInterval = TimeSpan.FromMilliseconds(20) };
        _cluster.Transition("a", HealthStatus.Unknown, HealthStatus.Healthy);
        using var cts = new CancellationTokenSource(Within);
        var seen = new List<TransitionEvent>();

        var watch = Task.Run(async () =>
        {
            await foreach (var e in client.WatchAsync("a", cts.Token))
            {
                seen.Add(e);
                if (seen.Count == 2) break;
            }
        });
        await WatcherStarted();
        _cluster.Transition("b", HealthStatus.Unknown, HealthStatus.Unhealthy);
        _cluster.Transition("a", HealthStatus.Healthy, HealthStatus.Degraded);
        _cluster.Transition("a", HealthStatus.Degraded, HealthStatus.Healthy);
        await watch.WaitAsync(Within);

        Assert.Equal([(HealthStatus.Healthy, HealthStatus.Degraded), (HealthStatus.Degraded, HealthStatus.Healthy)],
            seen.Select(e => (e.Transition.From, e.Transition.To)));
        Assert.Equal([3L, 4L], seen.Select(e => e.Sequence));

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(null, cts.Token)) { }
        });
    }
}
