namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Probe throughput of one silo: it probes a local target (in this process, so the target's CPU is
/// not the silo's) while the offered rate (origins × 1000 / interval) steps up, doubling the origins
/// each step. Each step is held for a while after a warm-up and measured at the target: achieved
/// probes/s, scheduling lateness (see <see cref="Lateness"/>), and the silo's CPU time, hence
/// probes per CPU-second. Stepping stops at the first step whose lateness p99 exceeds the limit or
/// whose achieved rate is below 95 % of the offered one (after <c>--retries</c> re-measurements of
/// that step); the highest step within both is the sustained rate.
/// </summary>
public static class ProbeThroughputScenario
{
    public sealed record Options(
        int IntervalMs, int StartOrigins, int MaxOrigins, int StepSeconds, int WarmupSeconds,
        int RegisterConcurrency, double MaxLatenessMs, int Retries, int MaxMinutes, string? Out);

    public sealed record Step(
        int Origins, int Attempt, double OfferedPerSecond, double AchievedPerSecond, Lateness Lateness,
        double SiloCpuSeconds, double WindowSeconds, double ProbesPerCpuSecond, double TargetCpuSeconds,
        double MachineBusyPercent, double SiloRssMiB, double RegistrationPerSecond, bool Sustained)
    {
        public double SiloCpuPercent => WindowSeconds > 0 ? 100 * SiloCpuSeconds / WindowSeconds : 0;
        public double TargetCpuPercent => WindowSeconds > 0 ? 100 * TargetCpuSeconds / WindowSeconds : 0;
    }

    /// <summary>The goal of probes per silo CPU-second (blackbox_exporter does about 1,270 here against nginx).</summary>
    public const double GoalProbesPerCpuSecond = 2500;

    public static Command Command()
    {
        var interval = CommonOptions.IntervalMs(1000);
        var start = new Option<int>("--start-origins") { Description = "Origins in the first step (doubled each step)", DefaultValueFactory = _ => 500 };
        var max = new Option<int>("--max-origins") { Description = "Origins in the last step at most", DefaultValueFactory = _ => 64_000 };
        var step = new Option<int>("--step-seconds") { Description = "Measured length of each step", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup-seconds") { Description = "Unmeasured time after each step's registration (at least 2 intervals)", DefaultValueFactory = _ => 5 };
        var concurrency = CommonOptions.RegisterConcurrency();
        var maxLateness = new Option<double>("--max-lateness-ms") { Description = "Lateness p99 above this ends the stepping", DefaultValueFactory = _ => 100 };
        var retries = new Option<int>("--retries") { Description = "Times a failed step is measured again before stepping stops", DefaultValueFactory = _ => 1 };
        var maxMinutes = CommonOptions.MaxMinutes(30, "Stop stepping after this long");
        var output = CommonOptions.Out();
        var command = new Command("probe-throughput", "Highest probe rate one silo sustains on time, and probes per silo CPU-second")
        {
            interval, start, max, step, warmup, concurrency, maxLateness, retries, maxMinutes, output,
        };
        command.SetAction((parse, ct) =>
        {
            var maxOrigins = Math.Clamp(parse.GetValue(max), 1, 1_000_000);
            return RunAsync(new Options(
                Math.Clamp(parse.GetValue(interval), 100, 600_000),
                Math.Clamp(parse.GetValue(start), 1, maxOrigins), maxOrigins,
                Math.Clamp(parse.GetValue(step), 1, 3600), Math.Clamp(parse.GetValue(warmup), 0, 3600),
                Math.Clamp(parse.GetValue(concurrency), 1, 1024), Math.Clamp(parse.GetValue(maxLateness), 1, 60_000),
                Math.Clamp(parse.GetValue(retries), 0, 10),
                Math.Clamp(parse.GetValue(maxMinutes), 1, 24 * 60), parse.GetValue(output)), Console.Out, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cap.CancelAfter(TimeSpan.FromMinutes(o.MaxMinutes));
        var token = cap.Token;
        var log = Console.Error;

        await using var bench = await SiloUnderLoad.StartAsync();
        var (target, arrivals, pid) = (bench.Target, bench.Arrivals, bench.Pid);
        using var api = ApiLoad.Client(bench.HttpPort, o.RegisterConcurrency);
        var warmup = TimeSpan.FromSeconds(Math.Max(o.WarmupSeconds, 2.0 * o.IntervalMs / 1000));

        var steps = new List<Step>();
        string? stopReason = null;
        var registered = 0;
        var origins = o.StartOrigins;
        // Doubling from StartOrigins up to MaxOrigins: at most ~20 steps, each bounded in time.
        for (var index = 0; index < 64; index++)
        {
            try
            {
                log.WriteLine($"probe-throughput: step {index + 1}: registering origins {registered}…{origins - 1}");
                var registration = await ApiLoad.RegisterAsync(api, target, "p", registered, origins, o.IntervalMs, o.RegisterConcurrency, log, token);
                registered = origins;
                // The first step also waits out the JIT's tiering, or its CPU figure would include it.
                await Task.Delay(index == 0 ? TimeSpan.FromSeconds(Math.Max(10, warmup.TotalSeconds)) : warmup, token);

                // A failed step is measured again (after another warm-up) up to Retries times: on a
                // shared machine one noisy window should not end the stepping.
                Step? s = null;
                for (var attempt = 0; attempt <= o.Retries; attempt++)
                {
                    if (attempt > 0) await Task.Delay(warmup, token);
                    s = await MeasureAsync(o, origins, attempt, registration.PerSecond, arrivals, pid, token);
                    steps.Add(s);
                    log.WriteLine($"probe-throughput: {origins} origins{(attempt > 0 ? $" (retry {attempt})" : "")}: offered {s.OfferedPerSecond:0}/s, " +
                        $"achieved {s.AchievedPerSecond:0}/s, lateness p99 {s.Lateness.LatenessP99Ms:0} ms, silo CPU {s.SiloCpuPercent:0} %, " +
                        $"{s.ProbesPerCpuSecond:0} probes/CPU-s, machine {s.MachineBusyPercent:0} % busy");
                    if (s.Sustained || bench.Silo.Process.HasExited) break;
                }

                if (bench.Silo.Process.HasExited) { stopReason = "the silo exited"; break; }
                if (!s!.Sustained)
                {
                    stopReason = s.Lateness.LatenessP99Ms > o.MaxLatenessMs
                        ? $"lateness p99 {s.Lateness.LatenessP99Ms:0} ms > {o.MaxLatenessMs:0} ms at {origins} origins"
                        : $"achieved {s.AchievedPerSecond:0}/s < 95 % of offered {s.OfferedPerSecond:0}/s at {origins} origins";
                    break;
                }
            }
            catch (OperationCanceledException) when (cap.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                stopReason = $"the --max-minutes cap ({o.MaxMinutes} min) was reached during the step of {origins} origins";
                log.WriteLine($"probe-throughput: aborted: {stopReason}");
                break;
            }
            if (origins >= o.MaxOrigins) { stopReason ??= $"--max-origins {o.MaxOrigins} reached"; break; }
            origins = (int)Math.Min(2L * origins, o.MaxOrigins);
        }

        var report = new Report("probe-throughput", new Dictionary<string, object>
        {
            ["intervalMs"] = o.IntervalMs, ["startOrigins"] = o.StartOrigins, ["maxOrigins"] = o.MaxOrigins,
            ["stepSeconds"] = o.StepSeconds, ["warmupSeconds"] = warmup.TotalSeconds, ["maxLatenessMs"] = o.MaxLatenessMs, ["retries"] = o.Retries,
        });
        report.Columns("origins", "attempt", "offered /s", "achieved /s", "lateness p50 ms", "lateness p99 ms", "lateness max ms",
            "\\|gap − interval\\| p99 ms", "silo CPU % of a core", "probes per silo CPU-s", "target CPU % of a core",
            "machine busy %", "silo RSS MiB", "sustained");
        foreach (var s in steps)
            report.Row($"{s.Origins}", $"{s.Attempt + 1}", $"{s.OfferedPerSecond:0}", $"{s.AchievedPerSecond:0}", $"{s.Lateness.LatenessP50Ms:0}",
                $"{s.Lateness.LatenessP99Ms:0}", $"{s.Lateness.LatenessMaxMs:0}", $"{s.Lateness.AbsDeviationP99Ms:0}",
                $"{s.SiloCpuPercent:0}", $"{s.ProbesPerCpuSecond:0}", $"{s.TargetCpuPercent:0}", $"{s.MachineBusyPercent:0}",
                $"{s.SiloRssMiB:0}", s.Sustained ? "yes" : "no");
        var best = steps.Where(s => s.Sustained).MaxBy(s => s.OfferedPerSecond);
        report.Results["steps"] = steps;
        report.Results["best"] = best is null ? "none" : new
        {
            best.Origins, best.OfferedPerSecond, best.AchievedPerSecond, LatenessP99Ms = best.Lateness.LatenessP99Ms,
            best.ProbesPerCpuSecond, GoalProbesPerCpuSecond,
        };
        report.Results["stopReason"] = stopReason ?? "";
        report.Print(output);
        output.WriteLine(best is null
            ? $"No step was sustained (lateness p99 ≤ {o.MaxLatenessMs:0} ms and ≥ 95 % of the offered rate)."
            : $"Highest sustained rate: {best.AchievedPerSecond:0} probes/s ({best.Origins} origins every {o.IntervalMs} ms), " +
              $"lateness p99 {best.Lateness.LatenessP99Ms:0} ms, {best.ProbesPerCpuSecond:0} probes per silo CPU-second (goal ≥ {GoalProbesPerCpuSecond:0}).");
        output.WriteLine($"Stopped: {stopReason}.");
        output.WriteLine("Lateness: per probe, its gap since the origin's previous probe at the target minus the interval and the ±2 % jitter bound, clamped at 0.");
        output.WriteLine();
        if (o.Out is { } path) await report.WriteJsonAsync(path);
        return steps.Count == 0 ? 1 : 0;
    }

    /// <summary>One measured window of a step: arrivals and lateness at the target; CPU of the silo, of this process (the target) and of the machine.</summary>
    private static async Task<Step> MeasureAsync(
        Options o, int origins, int attempt, double registrationPerSecond, ArrivalRecorder arrivals, int pid, CancellationToken token)
    {
        var cpu0 = ProcessStats.CpuSeconds(pid);
        var self0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var machine0 = ProcessStats.MachineCpu.Now();
        arrivals.BeginWindow();
        ArrivalWindow window;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(o.StepSeconds), token);
        }
        finally
        {
            window = arrivals.EndWindow();
        }
        var siloCpu = ProcessStats.CpuSeconds(pid) - cpu0;
        var selfCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - self0;
        var busy = ProcessStats.MachineCpu.Now().BusyPercentSince(machine0);

        var offered = origins * 1000.0 / o.IntervalMs;
        var lateness = Lateness.Of(window.GapsMs, o.IntervalMs);
        var achieved = window.PerSecond;
        var sustained = lateness.LatenessP99Ms <= o.MaxLatenessMs && achieved >= 0.95 * offered;
        return new Step(origins, attempt, offered, achieved, lateness, siloCpu, window.Seconds,
            siloCpu > 0 ? window.Hits / siloCpu : 0, selfCpu, busy,
            ProcessStats.Mib(ProcessStats.RssBytes(pid)), registrationPerSecond, sustained);
    }
}
