namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Scale of one silo: registers many origins (by the API, with bounded concurrency) at a long
/// interval, which the product spreads over the interval by a random first phase, then watches
/// one full interval at the target. Reports registration time and rate, the silo's resident
/// memory (VmRSS) before and after registration and after the further interval, scheduling
/// lateness over that interval (see <see cref="Lateness"/>), and probes/s achieved against the
/// expected origins / interval. The silo exposes no GC heap figure, so memory is RSS only.
/// Bounded by <c>--max-minutes</c>: reaching it aborts with a message naming the stage.
/// </summary>
public static class ScaleScenario
{
    public sealed record Options(int Origins, int IntervalMs, int RegisterConcurrency, int MaxMinutes, string? Out);

    public sealed record Result(
        int Origins, int IntervalMs, double RegistrationSeconds, double RegistrationPerSecond, int RegistrationRetries,
        double RssStartMiB, double RssAfterRegistrationMiB, double RssAfterIntervalMiB,
        double ExpectedProbesPerSecond, double AchievedProbesPerSecond, Lateness Lateness,
        double SiloCpuSecondsRegistering, double SiloCpuSecondsInterval, double ProbesPerSiloCpuSecond,
        double MachineBusyPercent, int OriginsProbed, int? ReplicaOrigins);

    public static Command Command()
    {
        var origins = new Option<int>("--origins") { Description = "Origins to register", DefaultValueFactory = _ => 100_000 };
        var interval = CommonOptions.IntervalMs(30_000);
        var register = CommonOptions.RegisterConcurrency();
        var maxMinutes = CommonOptions.MaxMinutes(20, "Abort after this long");
        var output = CommonOptions.Out();
        var command = new Command("scale", "Registration rate, memory and on-time probing of one silo with many origins")
        {
            origins, interval, register, maxMinutes, output,
        };
        command.SetAction((parse, ct) => RunAsync(new Options(
            Math.Clamp(parse.GetValue(origins), 1, 10_000_000), Math.Clamp(parse.GetValue(interval), 100, 600_000),
            Math.Clamp(parse.GetValue(register), 1, 1024), Math.Clamp(parse.GetValue(maxMinutes), 1, 24 * 60),
            parse.GetValue(output)), Console.Out, ct));
        return command;
    }

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cap.CancelAfter(TimeSpan.FromMinutes(o.MaxMinutes));
        var token = cap.Token;
        var log = Console.Error;
        var stage = "starting the silo";
        try
        {
            await using var bench = await SiloUnderLoad.StartAsync();
            var (target, arrivals, pid) = (bench.Target, bench.Arrivals, bench.Pid);
            using var api = ApiLoad.Client(bench.HttpPort, o.RegisterConcurrency);
            var rssStart = ProcessStats.RssBytes(pid);

            stage = "registration";
            log.WriteLine($"scale: registering {o.Origins} origins every {o.IntervalMs} ms, {o.RegisterConcurrency} requests in flight");
            var cpu0 = ProcessStats.CpuSeconds(pid);
            var registration = await ApiLoad.RegisterAsync(api, target, "s", 0, o.Origins, o.IntervalMs, o.RegisterConcurrency, log, token);
            var cpuRegistering = ProcessStats.CpuSeconds(pid) - cpu0;
            var rssRegistered = ProcessStats.RssBytes(pid);
            log.WriteLine($"scale: registered in {registration.Seconds:0.0} s ({registration.PerSecond:0}/s, silo CPU {cpuRegistering:0.0} s); RSS {ProcessStats.Mib(rssRegistered):0} MiB");

            stage = "the measured interval";
            var cpu1 = ProcessStats.CpuSeconds(pid);
            var machine0 = ProcessStats.MachineCpu.Now();
            arrivals.BeginWindow();
            await Task.Delay(o.IntervalMs, token);
            var window = arrivals.EndWindow();
            var cpuInterval = ProcessStats.CpuSeconds(pid) - cpu1;
            var busy = ProcessStats.MachineCpu.Now().BusyPercentSince(machine0);
            var rssAfter = ProcessStats.RssBytes(pid);
            var replicaOrigins = await ReplicaOriginsAsync(api, token);
            if (bench.Silo.Process.HasExited) throw new InvalidOperationException($"the silo exited during the run:\n{bench.Silo.Process.Output}");

            var expected = o.Origins * 1000.0 / o.IntervalMs;
            var lateness = Lateness.Of(window.GapsMs, o.IntervalMs);
            var result = new Result(o.Origins, o.IntervalMs, registration.Seconds, registration.PerSecond, registration.Retries,
                ProcessStats.Mib(rssStart), ProcessStats.Mib(rssRegistered), ProcessStats.Mib(rssAfter),
                expected, window.PerSecond, lateness, cpuRegistering, cpuInterval, cpuInterval > 0 ? window.Hits / cpuInterval : 0,
                busy, arrivals.DistinctPaths, replicaOrigins);

            var report = new Report("scale", new Dictionary<string, object>
            {
                ["origins"] = o.Origins, ["intervalMs"] = o.IntervalMs, ["registerConcurrency"] = o.RegisterConcurrency,
            });
            report.Columns("measure", "value");
            report.Row("origins registered (replica count)", $"{o.Origins} ({replicaOrigins?.ToString() ?? "?"})");
            report.Row("registration time s", $"{registration.Seconds:0.0}");
            report.Row("registrations per s", $"{registration.PerSecond:0}");
            report.Row("silo CPU s while registering", $"{cpuRegistering:0.0}");
            report.Row("silo RSS MiB: start / after registration / after one more interval",
                $"{result.RssStartMiB:0} / {result.RssAfterRegistrationMiB:0} / {result.RssAfterIntervalMiB:0}");
            report.Row("RSS per origin KiB (after the interval, above start)", $"{(rssAfter - rssStart) / 1024.0 / o.Origins:0.00}");
            report.Row("probes/s achieved / expected", $"{window.PerSecond:0} / {expected:0}");
            report.Row("lateness p50 / p99 / max ms", $"{lateness.LatenessP50Ms:0} / {lateness.LatenessP99Ms:0} / {lateness.LatenessMaxMs:0}");
            report.Row("\\|gap − interval\\| p99 ms (jitter bound)", $"{lateness.AbsDeviationP99Ms:0} ({lateness.JitterBoundMs:0})");
            report.Row("gaps measured", $"{lateness.Gaps}");
            report.Row("silo CPU % of a core over the interval", $"{100 * cpuInterval / window.Seconds:0}");
            report.Row("probes per silo CPU-s", $"{result.ProbesPerSiloCpuSecond:0}");
            report.Row("machine busy % over the interval", $"{busy:0}");
            report.Row("origins probed at least once", $"{arrivals.DistinctPaths}");
            report.Results["scale"] = result;
            report.Print(output);
            output.WriteLine("Lateness: per probe, its gap since the origin's previous probe at the target minus the interval and the ±2 % jitter bound, clamped at 0.");
            output.WriteLine();
            if (o.Out is { } path) await report.WriteJsonAsync(path);
            return 0;
        }
        catch (OperationCanceledException) when (cap.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var message = $"scale: aborted: the --max-minutes cap ({o.MaxMinutes} min) was reached during {stage}";
            log.WriteLine(message);
            output.WriteLine(message);
            return 3;
        }
    }

    private static async Task<int?> ReplicaOriginsAsync(HttpClient api, CancellationToken ct)
    {
        try
        {
            var stats = await api.GetFromJsonAsync<JsonElement>("/api/cluster/replica", ct);
            return stats.TryGetProperty("origins", out var n) && n.TryGetInt32(out var count) ? count : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
