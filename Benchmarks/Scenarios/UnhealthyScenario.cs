namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Time from a target's failure until its origin reads <c>unhealthy</c> on the API, and from its
/// recovery until <c>healthy</c>, against one real silo process. The API is polled every 10 ms,
/// so figures are at most 10 ms late.
/// </summary>
public static class UnhealthyScenario
{
    public sealed record Options(int Rounds, int IntervalMs, int UnhealthyThreshold, int HealthyThreshold, string? Out);

    public static Command Command()
    {
        var rounds = new Option<int>("--rounds") { Description = "Failure/recovery rounds", DefaultValueFactory = _ => 10 };
        var interval = CommonOptions.IntervalMs(500, "Probe interval of the origin");
        var unhealthy = new Option<int>("--unhealthy-threshold") { DefaultValueFactory = _ => 2 };
        var healthy = new Option<int>("--healthy-threshold") { DefaultValueFactory = _ => 2 };
        var output = CommonOptions.Out();
        var command = new Command("unhealthy", "Time from a target's failure to unhealthy, and from recovery to healthy")
        {
            rounds, interval, unhealthy, healthy, output,
        };
        command.SetAction((parse, ct) => RunAsync(new Options(
            Math.Clamp(parse.GetValue(rounds), 1, 1000), parse.GetValue(interval), parse.GetValue(unhealthy), parse.GetValue(healthy),
            parse.GetValue(output)), Console.Out, ct));
        return command;
    }

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        await using var target = await TargetServer.StartAsync();
        await using var single = await SingleSilo.StartAsync();
        var silo = single.Process;

        var put = await silo.Http.PutAsJsonAsync("/api/origins/bench", new
        {
            url = target.Url("/bench"), intervalMs = o.IntervalMs,
            unhealthyThreshold = o.UnhealthyThreshold, healthyThreshold = o.HealthyThreshold,
        }, ct);
        put.EnsureSuccessStatusCode();
        await WaitForAsync(silo, "healthy", TimeSpan.FromSeconds(30), ct);

        var toUnhealthy = new List<double>();
        var toHealthy = new List<double>();
        var random = new Random(42);
        for (var round = 0; round < o.Rounds; round++)
        {
            // Flip at a random phase of the probe cycle, or every round would measure the same phase.
            await Task.Delay(random.Next(o.IntervalMs), ct);
            target.Set("/bench", TargetMode.Failing);
            toUnhealthy.Add(await WaitForAsync(silo, "unhealthy", TimeSpan.FromSeconds(30), ct));
            await Task.Delay(random.Next(o.IntervalMs), ct);
            target.Set("/bench", TargetMode.Healthy);
            toHealthy.Add(await WaitForAsync(silo, "healthy", TimeSpan.FromSeconds(30), ct));
        }

        var report = new Report("unhealthy", new Dictionary<string, object>
        {
            ["rounds"] = o.Rounds, ["intervalMs"] = o.IntervalMs,
            ["unhealthyThreshold"] = o.UnhealthyThreshold, ["healthyThreshold"] = o.HealthyThreshold,
        });
        report.Columns("measure", "rounds", "min ms", "p50 ms", "max ms", "threshold × interval ms");
        var down = Stats.Of(toUnhealthy);
        var up = Stats.Of(toHealthy);
        // A failure is seen by the next probe, then `threshold` probes in a row must fail: between
        // (threshold − 1) and threshold intervals, plus probe and read latency.
        report.Row("target fails → unhealthy", $"{down.Count}", $"{down.Min:0}", $"{down.P50:0}", $"{down.Max:0}", $"{o.UnhealthyThreshold * o.IntervalMs}");
        report.Row("target recovers → healthy", $"{up.Count}", $"{up.Min:0}", $"{up.P50:0}", $"{up.Max:0}", $"{o.HealthyThreshold * o.IntervalMs}");
        report.Results["toUnhealthyMs"] = down;
        report.Results["toHealthyMs"] = up;
        await report.PublishAsync(output, o.Out);
        return 0;
    }

    private static async Task<double> WaitForAsync(SiloProcess silo, string status, TimeSpan within, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            ct.ThrowIfCancellationRequested();
            using var response = await silo.Http.GetAsync("/api/origins/bench", ct);
            var view = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            if (view.GetProperty("health").GetProperty("status").GetString() == status) return clock.Elapsed.TotalMilliseconds;
            await Task.Delay(10, ct);
        }
        throw new TimeoutException($"origin did not become {status} within {within.TotalSeconds} s");
    }
}
