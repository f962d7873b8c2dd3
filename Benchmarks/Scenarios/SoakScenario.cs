using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Heck.Benchmarks.Commands;
using Heck.Benchmarks.Measurement;
using Heck.Harness;
using Node = Heck.Harness.RestartableCluster.Node;

namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Soak: N silos probe M origins on a local target for T minutes of random SIGKILL, SIGSTOP and
/// SIGTERM, each followed by a restart (or SIGCONT), with optional injected SWIM packet loss. At
/// the end it checks that no registered origin was lost, that no origin went unprobed longer than
/// failure detection plus two probe intervals, and that all replicas are equal within 2 s of the
/// faults stopping. Prints a markdown table, writes JSON with <c>--out</c>, exits 1 on FAIL.
/// </summary>
/// <remarks>
/// <para><b>Faults.</b> The nodes are split into <c>--max-faulty</c> lanes (node i in lane i mod
/// lanes; default 1, at most (N−1)/2, so a majority is always up); each lane runs its faults one after
/// another from its own <see cref="Random"/> seeded from <c>--seed</c>, so the sequence of
/// decisions (idle time, victim, action, down time) replays exactly, though their timing depends
/// on how fast silos stop and start. After an idle of 1–4 s a lane picks one of its nodes and
/// one of: SIGKILL, wait 0–5 s, restart; SIGSTOP for 1–8 s, then SIGCONT (a silo that learns it
/// was declared dead exits, and is restarted); SIGTERM, wait 0–5 s, restart. A restart is a new
/// generation of the same node (same ports and data folder) joining through every node not under
/// a fault, so the first node (the original seed) is faulted like any other. A node that exits
/// without being faulted (a false death) is restarted too and reported as an unplanned exit.</para>
/// <para><b>Unprobed time.</b> Every 100 ms the target's last hit of each origin is read; an
/// origin's unprobed time is now − last hit, minus any stall of the sampler itself (a tick more
/// than 500 ms late: this process, which also serves the target, did not run, so no probe could
/// land). Measured from the moment every origin has been probed and is healthy everywhere until
/// the replica check ends, i.e. while a majority is always up and the cluster is expected to
/// probe. The bound is detection + 2 intervals: an origin's last probe is up to one interval
/// before its owner fails, the failure is detected (SWIM; <c>--detection-ms</c>), the new owner
/// probes within 250 ms, and a second interval is margin. With k faults at once an origin can lose
/// its owner and then its next owner before either is detected, so the bound becomes
/// k · detection + 2 intervals.</para>
/// <para><b>Readers.</b> Every target stays healthy, so once a second one silo's full list is read
/// and any origin not shown healthy is recorded (information, not a check).</para>
/// <para><b>Replicas equal.</b> Probing continues, so no two replicas are ever byte-equal for
/// long. Equal means, for every registered origin on every silo: the same spec (every field the
/// API shows besides health and provenance), the same health status, the same
/// <c>observedBy</c> (the freshest observation comes from the same prober generation), and
/// <c>observedAt</c> within 1.5 probe intervals of one another (at most the newest observation
/// is still in flight; a replica two observations behind fails). Polled every 100 ms from the
/// moment every silo sees every silo alive.</para>
/// </remarks>
public static class SoakScenario
{
    public sealed record Options(
        int Silos, int Origins, double Minutes, int IntervalMs, double LossPercent, int Seed, int DetectionMs, int MaxFaulty, string? Out,
        IReadOnlyList<string>? SiloArgs = null, string? Logs = null);

    /// <summary>The <c>soak</c> command.</summary>
    public static Command Command()
    {
        var outOption = CommonOptions.Out();
        var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 5 };
        var origins = new Option<int>("--origins") { DefaultValueFactory = _ => 200 };
        var minutes = new Option<double>("--minutes") { Description = "How long faults are injected", DefaultValueFactory = _ => 5 };
        var interval = CommonOptions.IntervalMs(1000);
        var loss = new Option<double>("--loss-percent") { Description = "SWIM packets dropped on purpose, in and out (Heck:Swim:InjectLossPercent)", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the fault plan", DefaultValueFactory = _ => 1 };
        var detection = new Option<int>("--detection-ms") { Description = "Failure detection allowed in the unprobed bound (detection + 2 intervals)", DefaultValueFactory = _ => 5000 };
        var maxFaulty = new Option<int>("--max-faulty") { Description = "Silos under a fault at once, at most (silos-1)/2; the unprobed bound is max-faulty x detection + 2 intervals", DefaultValueFactory = _ => 1 };
        var logs = new Option<string?>("--logs") { Description = "Write every silo's log (all generations) to this folder; by default only on FAIL, to a temp folder" };
        var siloArgs = new Option<string[]>("--silo-arg") { Description = "Extra argument for every silo, e.g. --silo-arg=--Logging:LogLevel:Heck=Debug (repeatable)" };
        var command = new Command("soak", "T minutes of random SIGKILL/SIGSTOP/SIGTERM and restarts with SWIM packet loss; checks no origin lost, none unprobed too long, replicas equal")
        {
            silos, origins, minutes, interval, loss, seed, detection, maxFaulty, siloArgs, logs, outOption,
        };
        command.SetAction((parse, ct) =>
        {
            var n = Math.Clamp(parse.GetValue(silos), 3, 20);
            return RunAsync(new Options(
                n, Math.Clamp(parse.GetValue(origins), 1, 10_000), Math.Clamp(parse.GetValue(minutes), 0.05, 24 * 60),
                Math.Clamp(parse.GetValue(interval), 100, 60_000), Math.Clamp(parse.GetValue(loss), 0, 50), parse.GetValue(seed),
                Math.Clamp(parse.GetValue(detection), 100, 600_000), Math.Clamp(parse.GetValue(maxFaulty), 1, (n - 1) / 2),
                parse.GetValue(outOption), parse.GetValue(siloArgs) ?? [], parse.GetValue(logs)), Console.Out, ct);
        });
        return command;
    }

    private const int SampleMs = 100;
    private const int StallMs = 500;
    private const int EqualWithinMs = 2000;
    private const int EqualGiveUpMs = 30_000;
    private static readonly TimeSpan JoinWithin = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        // Timestamps in the silo logs (kept in memory, written out on failure) line them up with the fault log.
        var extra = new List<string> { "--Logging:Console:TimestampFormat=HH:mm:ss.fff " };
        if (o.LossPercent > 0)
            extra.Add("--Heck:Swim:InjectLossPercent=" + o.LossPercent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        extra.AddRange(o.SiloArgs ?? []);
        await using var target = await TargetServer.StartAsync();
        RestartableCluster cluster;
        try
        {
            cluster = await RestartableCluster.StartAsync(o.Silos, extra, ct);
        }
        catch (InvalidOperationException ex) when (o.LossPercent > 0 && ex.Message.Contains("InjectLossPercent", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync(
                "soak: the silo rejects --Heck:Swim:InjectLossPercent (this build has no loss injection); run with --loss-percent 0.\n" + ex.Message);
            return 2;
        }
        await using var _ = cluster;
        var run = new Run(o, cluster, target);
        try
        {
            return await run.ExecuteAsync(output, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Keep what the silos said: an unexpected failure is what a soak is for.
            await Console.Error.WriteLineAsync($"soak: stopped by {ex.GetType().Name}: {ex.Message}");
            await run.WriteLogsAsync(output);
            throw;
        }
    }

    private enum Fault { Kill, Stop, Term }

    private sealed class FaultEvent
    {
        public int Seq { get; init; }
        public int Lane { get; init; }
        public int Node { get; init; }
        public string Action { get; init; } = "";
        public int Pid { get; init; }
        public int Generation { get; init; }
        public int DownMs { get; init; }
        public double AtS { get; init; }
        public double? RecoveredAtS { get; set; }
        public string Outcome { get; set; } = "";
        public int? NewGeneration { get; set; }
        /// <summary>From the signal until every live silo lists the faulted generation dead (or left); null if it never did.</summary>
        public double? DeclaredDeadAfterMs { get; set; }
        internal long StartTs { get; init; }
        internal long EndTs { get; set; }
    }

    private sealed record Violation(string Origin, double FromS, double GapMs, string Faults);

    private sealed record OriginState(string Spec, string Url, int IntervalMs, string Status, string? ObservedBy, DateTimeOffset? ObservedAt);

    private sealed class Run(Options o, RestartableCluster cluster, TargetServer target)
    {
        private readonly long _t0 = Stopwatch.GetTimestamp();
        private readonly Lock _gate = new();
        private readonly HashSet<int> _faulty = [];
        private readonly List<FaultEvent> _events = [];
        private readonly List<string> _log = [];
        private readonly List<string> _anomalies = [];
        private readonly List<(long From, long To)> _stalls = [];
        private readonly List<Violation> _violations = [];
        private readonly string[] _ids = Enumerable.Range(0, o.Origins).Select(i => $"s{i}").ToArray();
        private double[] _maxGapMs = [];
        private object[] _replicaStats = [];
        private List<string> _equalityTrace = [];
        private readonly List<string> _falseReadings = [];
        private int _readings;
        private int _seq;
        private volatile bool _aborted;

        private int Lanes => Math.Clamp(o.MaxFaulty, 1, Math.Max(1, (o.Silos - 1) / 2));
        // Cascades: with k faults at once, an origin's owner and then its next owner can both fail undetected.
        private double BoundMs => Lanes * (double)o.DetectionMs + 2.0 * o.IntervalMs;
        private double Now => Stopwatch.GetElapsedTime(_t0).TotalSeconds;
        private double SecondsOf(long ts) => (ts - _t0) / (double)Stopwatch.Frequency;

        private void Log(string message)
        {
            var line = $"+{Now,7:0.000} s  {message}";
            lock (_log) _log.Add(line);
            Console.Error.WriteLine("[soak] " + line);
        }

        private void Anomaly(string message)
        {
            lock (_anomalies) _anomalies.Add($"+{Now:0.000} s {message}");
            Log("ANOMALY: " + message);
        }

        public async Task<int> ExecuteAsync(TextWriter output, CancellationToken ct)
        {
            Log($"clock starts at {DateTime.Now.AddSeconds(-Now):HH:mm:ss.fff} local time (silo logs use local time)");
            Log($"{o.Silos} silos up: {string.Join(", ", cluster.Nodes.Select(n => $"{n} pid {n.Process.Id} gen {n.Self.Generation}"))}");
            var api = cluster.Nodes[0].Process.Http;
            foreach (var id in _ids)
                for (var attempt = 1; ; attempt++)
                {
                    using var response = await api.PutAsJsonAsync($"/api/origins/{id}", new { url = target.Url($"/{id}"), intervalMs = o.IntervalMs }, ct);
                    if (response.IsSuccessStatusCode) break;
                    var body = await response.Content.ReadAsStringAsync(ct);
                    Anomaly($"PUT /api/origins/{id} answered {(int)response.StatusCode} (attempt {attempt}): {body[..Math.Min(body.Length, 300)]}");
                    if (attempt == 5) response.EnsureSuccessStatusCode();
                    await Task.Delay(500, ct);
                }
            await RestartableCluster.WaitAsync(async () => _ids.All(id => target.LastHit($"/{id}") != 0)
                    && (await Task.WhenAll(cluster.Nodes.Select(n => ViewAsync(n.Process, ct)))).All(v => v is not null && _ids.All(id => v.GetValueOrDefault(id)?.Status == "healthy")),
                TimeSpan.FromSeconds(120), "every origin probed and healthy on every silo", ct);
            Log($"{o.Origins} origins registered, probed and healthy everywhere; faults for {o.Minutes} min, unprobed bound {BoundMs:0} ms");

            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sampler = SampleAsync(sampling.Token);
            var reader = ReadHealthAsync(sampling.Token);
            var faultsUntil = TimeSpan.FromMinutes(o.Minutes);
            var clock = Stopwatch.StartNew();
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var watchdog = WatchdogAsync(watching.Token);
            var lanes = Lanes;
            await Task.WhenAll(Enumerable.Range(0, lanes).Select(lane => LaneAsync(lane, lanes, clock, faultsUntil, ct)));
            await watching.CancelAsync();
            await watchdog;
            await RecoverUnplannedExitsAsync(ct); // one last look, with the lanes done
            Log($"faults stopped after {clock.Elapsed.TotalSeconds:0.0} s");

            // All silos up and seeing each other alive: from here the replicas must converge.
            var converged = true;
            try
            {
                await RestartableCluster.WaitAsync(() => cluster.ConvergedAsync(cluster.Nodes), TimeSpan.FromSeconds(120), "every silo sees every silo alive", ct);
            }
            catch (TimeoutException ex)
            {
                converged = false;
                Anomaly(ex.Message);
            }
            var stoppedAt = Stopwatch.GetTimestamp();
            Log($"every silo sees every silo alive: {string.Join(", ", cluster.Nodes.Select(n => $"{n} gen {n.Self.Generation}"))}");

            double? equalAfterMs = null;
            List<string> differences = [];
            var trace = new List<string>(); // differences per poll, to see what converges and what is stuck
            IReadOnlyList<Dictionary<string, OriginState>?> views = [];
            for (var poll = 0; poll < EqualGiveUpMs / SampleMs; poll++)
            {
                views = await Task.WhenAll(cluster.Nodes.Select(n => ViewAsync(n.Process, ct)));
                differences = Differences(views);
                if (poll % 10 == 0 || differences.Count == 0)
                    trace.Add($"+{Stopwatch.GetElapsedTime(stoppedAt).TotalMilliseconds:0} ms: {differences.Count} differences{(differences.Count > 0 ? ", e.g. " + string.Join("; ", differences.Take(3)) : "")}");
                if (differences.Count == 0)
                {
                    equalAfterMs = Stopwatch.GetElapsedTime(stoppedAt).TotalMilliseconds;
                    break;
                }
                if (Stopwatch.GetElapsedTime(stoppedAt).TotalMilliseconds > EqualGiveUpMs) break;
                await Task.Delay(SampleMs, ct);
            }
            Log(equalAfterMs is { } e ? $"replicas equal after {e:0} ms" : $"replicas not equal within {EqualGiveUpMs} ms: {differences.Count} differences, e.g. {string.Join("; ", differences.Take(5))}");
            // Lost: missing from a silo's answer (a silo that does not answer fails the equality check instead).
            var lost = _ids.Where(id => views.Any(v => v is not null && !v.ContainsKey(id)) || views.All(v => v is null)).ToList();
            var statuses = views.OfType<Dictionary<string, OriginState>>().SelectMany(v => v.Values).GroupBy(s => s.Status).ToDictionary(g => g.Key, g => g.Count());
            var transport = await Task.WhenAll(cluster.Nodes.Select(n => TransportAsync(n.Process, ct)));
            _replicaStats = await Task.WhenAll(cluster.Nodes.Select(async n =>
            {
                try { return (object)await n.Process.Http.GetFromJsonAsync<JsonElement>("/api/cluster/replica", ct); }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException) { return ex.Message; }
            }));

            await sampling.CancelAsync();
            await sampler;
            await reader;

            _equalityTrace = trace;
            return await ReportAsync(output, converged, equalAfterMs, differences, lost, statuses, transport);
        }

        private async Task<int> ReportAsync(TextWriter output, bool converged, double? equalAfterMs, List<string> differences,
            List<string> lost, Dictionary<string, int> statuses, (long Injected, long Packets)[] transport)
        {
            List<FaultEvent> events;
            lock (_gate) events = [.. _events];
            int Count(string action) => events.Count(e => e.Action == action);
            var gaps = Stats.Of(_maxGapMs);
            List<Violation> violations;
            lock (_violations) violations = [.. _violations];
            List<string> anomalies;
            lock (_anomalies) anomalies = [.. _anomalies];

            var checks = new Dictionary<string, bool>
            {
                ["no registered origin lost"] = lost.Count == 0,
                [$"no origin unprobed longer than {BoundMs:0} ms"] = violations.Count == 0,
                [$"replicas equal within {EqualWithinMs} ms"] = equalAfterMs is <= EqualWithinMs,
                ["harness: every fault recovered, every silo rejoined"] = converged && !_aborted && anomalies.Count == 0,
            };
            var pass = checks.Values.All(v => v);

            var report = new Report("soak", new Dictionary<string, object>
            {
                ["silos"] = o.Silos, ["origins"] = o.Origins, ["minutes"] = o.Minutes, ["intervalMs"] = o.IntervalMs,
                ["lossPercent"] = o.LossPercent, ["seed"] = o.Seed, ["detectionMs"] = o.DetectionMs, ["unprobedBoundMs"] = BoundMs,
                ["maxFaulty"] = Lanes, ["membership"] = "swim (defaults)",
            });
            report.Columns("silos", "origins", "minutes", "faults (kill/stop/term)", "unplanned exits", "origins lost",
                "max unprobed ms (p50/max over origins)", "over-bound count", "replicas equal after ms", "result");
            report.Row($"{o.Silos}", $"{o.Origins}", $"{o.Minutes}", $"{Count("kill")}/{Count("stop")}/{Count("term")}", $"{Count("unplanned")}",
                $"{lost.Count}", $"{gaps.P50:0} / {gaps.Max:0}", $"{violations.Count}",
                equalAfterMs is { } e ? $"{e:0}" : $"> {EqualGiveUpMs}", pass ? "PASS" : "FAIL");
            report.Results["result"] = pass ? "PASS" : "FAIL";
            report.Results["checks"] = checks;
            report.Results["faults"] = events;
            report.Results["originsLost"] = lost;
            report.Results["maxUnprobedMs"] = gaps;
            report.Results["maxUnprobedMsPerOrigin"] = _ids.Zip(_maxGapMs).ToDictionary(p => p.First, p => Math.Round(p.Second));
            report.Results["violations"] = violations;
            var detection = new[] { "kill", "stop", "term" }.ToDictionary(a => a,
                a => Stats.Of(events.Where(e => e.Action == a && e.DeclaredDeadAfterMs is not null).Select(e => e.DeclaredDeadAfterMs!.Value).ToList()));
            report.Results["declaredDeadAfterMs"] = detection.ToDictionary(d => d.Key, d => d.Value.Count == 0 ? null : d.Value); // no NaN in JSON
            report.Results["replicasEqualAfterMs"] = equalAfterMs ?? (object)"not within 30000";
            report.Results["replicaDifferences"] = differences.Take(50).ToList();
            report.Results["replicaEqualityTrace"] = _equalityTrace;
            report.Results["finalStatuses"] = statuses;
            report.Results["samplerStallsMs"] = _stalls.Select(s => Math.Round(Stopwatch.GetElapsedTime(s.From, s.To).TotalMilliseconds)).ToList();
            report.Results["injectedSwimDrops"] = new { dropped = transport.Sum(t => t.Injected), packets = transport.Sum(t => t.Packets), note = "current generations only" };
            report.Results["anomalies"] = anomalies;
            lock (_falseReadings) report.Results["nonHealthyReadings"] = new { lists = _readings, items = _falseReadings.ToList() };
            report.Results["replicaStats"] = _replicaStats;
            lock (_log) report.Results["log"] = _log.ToList();
            report.Print(output);
            foreach (var (check, ok) in checks) output.WriteLine($"- {check}: {(ok ? "pass" : "FAIL")}");
            output.WriteLine("- faulted generation declared dead (or left) on every live silo after the signal, ms: " + string.Join("; ",
                detection.Select(d => $"{d.Key} {(d.Value.Count == 0 ? "none" : $"n={d.Value.Count} p50 {d.Value.P50:0} max {d.Value.Max:0}")}")));
            lock (_falseReadings)
                output.WriteLine($"- readers saw a healthy target's origin as not healthy {_falseReadings.Count} times in {_readings} full lists (info, not a check)"
                    + (_falseReadings.Count > 0 ? $", e.g. {string.Join("; ", _falseReadings.Take(3))}" : ""));
            output.WriteLine($"- injected SWIM packet drops (current generations): {transport.Sum(t => t.Injected)} of {transport.Sum(t => t.Packets)} packets");
            foreach (var v in violations.Take(10)) output.WriteLine($"- over bound: {v.Origin} unprobed {v.GapMs:0} ms from +{v.FromS:0.0} s during {v.Faults}");
            foreach (var a in anomalies.Take(10)) output.WriteLine($"- anomaly: {a}");
            foreach (var d in differences.Take(10)) output.WriteLine($"- difference: {d}");
            output.WriteLine();
            if (!pass || o.Logs is not null) await WriteLogsAsync(output);
            if (o.Out is { } path) await report.WriteJsonAsync(path);
            return pass ? 0 : 1;
        }

        /// <summary>On failure, keeps every generation's silo log for the investigation.</summary>
        public async Task WriteLogsAsync(TextWriter output)
        {
            var dir = o.Logs is { } chosen ? Directory.CreateDirectory(chosen).FullName : Directory.CreateTempSubdirectory($"heck-soak-{o.Seed}-").FullName;
            foreach (var node in cluster.Nodes)
            {
                var text = new StringBuilder();
                for (var g = 0; g < node.PastOutput.Count; g++) text.Append($"===== {node} start {g + 1}\n").Append(node.PastOutput[g]);
                if (!node.Down) text.Append($"===== {node} start {node.PastOutput.Count + 1} (current)\n").Append(node.Process.Output);
                await File.WriteAllTextAsync(Path.Combine(dir, $"{node}.log"), text.ToString());
            }
            output.WriteLine($"Silo logs: {dir}");
        }

        // ---- faults ----

        private async Task LaneAsync(int lane, int lanes, Stopwatch clock, TimeSpan until, CancellationToken ct)
        {
            var random = new Random(unchecked(o.Seed * 7919 + lane));
            var nodes = cluster.Nodes.Where(n => n.Index % lanes == lane).ToArray();
            for (var step = 0; step < 100_000 && !_aborted; step++)
            {
                // Every decision is drawn before acting, in a fixed order: the plan replays from the seed.
                var idleMs = random.Next(1000, 4001);
                var node = nodes[random.Next(nodes.Length)];
                var fault = (Fault)random.Next(3);
                var downMs = fault == Fault.Stop ? random.Next(1000, 8001) : random.Next(0, 5001);
                await Task.Delay(idleMs, ct);
                if (clock.Elapsed >= until) return;
                await FaultAsync(lane, node, fault, downMs, ct);
            }
        }

        private async Task FaultAsync(int lane, Node node, Fault fault, int downMs, CancellationToken ct)
        {
            var process = node.Process;
            var ev = new FaultEvent
            {
                Seq = Interlocked.Increment(ref _seq), Lane = lane, Node = node.Index, Action = fault.ToString().ToLowerInvariant(),
                Pid = process.Id, Generation = node.Self.Generation, DownMs = downMs, AtS = Math.Round(Now, 3), StartTs = Stopwatch.GetTimestamp(),
            };
            lock (_gate)
            {
                _faulty.Add(node.Index);
                _events.Add(ev);
            }
            Log($"#{ev.Seq} {node} (pid {ev.Pid}, gen {ev.Generation}): {fault switch { Fault.Kill => "SIGKILL", Fault.Stop => "SIGSTOP", _ => "SIGTERM" }}, {(fault == Fault.Stop ? "SIGCONT" : "restart")} after {downMs} ms");
            var oldSelf = node.Self;
            var signalled = Stopwatch.StartNew();
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var declared = WatchDeathAsync(node, oldSelf, ev, signalled, watch.Token);
            try
            {
                switch (fault)
                {
                    case Fault.Kill:
                        process.Kill();
                        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
                        await Task.Delay(downMs, ct);
                        await RestartAsync(node, ev, ct);
                        break;
                    case Fault.Term:
                        process.Terminate();
                        var stopping = Stopwatch.StartNew();
                        try
                        {
                            await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
                        }
                        catch (OperationCanceledException)
                        {
                            Anomaly($"#{ev.Seq} {node} did not exit within 30 s of SIGTERM; SIGKILL");
                            process.Kill();
                            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
                        }
                        Log($"#{ev.Seq} {node} exited {stopping.ElapsedMilliseconds} ms after SIGTERM");
                        await Task.Delay(downMs, ct);
                        await RestartAsync(node, ev, ct);
                        break;
                    default:
                        process.Pause();
                        await Task.Delay(downMs, ct);
                        process.Resume();
                        await AfterResumeAsync(node, ev, ct);
                        break;
                }
                ev.RecoveredAtS = Math.Round(Now, 3);
                await watch.CancelAsync();
                await declared;
                Log($"#{ev.Seq} {node} recovered: {ev.Outcome}{(ev.DeclaredDeadAfterMs is { } d ? $"; gen {oldSelf.Generation} declared dead everywhere {d:0} ms after the signal" : "")}");
                lock (_gate) _faulty.Remove(node.Index);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // The node stays marked faulty (so no lane takes a majority down) and the run stops faulting.
                _aborted = true;
                ev.Outcome = "not recovered: " + ex.Message.Split('\n')[0];
                Anomaly($"#{ev.Seq} {node} not recovered, faults stop: {ex.Message}");
            }
            finally
            {
                ev.EndTs = Stopwatch.GetTimestamp();
                await watch.CancelAsync();
                await declared;
            }
        }

        /// <summary>Times until every live silo lists <paramref name="member"/> dead or left (polled every 100 ms, bounded by the fault).</summary>
        private async Task WatchDeathAsync(Node node, (string Address, int Generation) member, FaultEvent ev, Stopwatch signalled, CancellationToken ct)
        {
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var observers = Live(node);
                    var statuses = await Task.WhenAll(observers.Select(async n =>
                    {
                        try { return await LocalCluster.StatusOfAsync(n.Process, member); }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException) { return "unanswered"; }
                    }));
                    if (observers.Count > 0 && statuses.All(s => s is "dead" or "left"))
                    {
                        ev.DeclaredDeadAfterMs = Math.Round(signalled.Elapsed.TotalMilliseconds);
                        return;
                    }
                    await Task.Delay(100, ct);
                }
            }
            catch (OperationCanceledException) { }
        }

        /// <summary>
        /// After SIGCONT: a silo that was declared dead while stopped learns it and exits, and is then
        /// restarted; one that was only suspected refutes and stays. Bounded at 30 s.
        /// </summary>
        private async Task AfterResumeAsync(Node node, FaultEvent ev, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            var aliveSince = (TimeSpan?)null;
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (node.Process.HasExited)
                {
                    Log($"#{ev.Seq} {node} exited {clock.ElapsedMilliseconds} ms after SIGCONT");
                    await RestartAsync(node, ev, ct, "declared dead, exited on SIGCONT; restarted");
                    return;
                }
                var statuses = await Task.WhenAll(Live(node).Select(async n =>
                {
                    try { return await LocalCluster.StatusOfAsync(n.Process, node.Self); }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException) { return "unanswered"; }
                }));
                if (statuses.All(s => s == "alive"))
                {
                    aliveSince ??= clock.Elapsed;
                    if (clock.Elapsed - aliveSince > TimeSpan.FromSeconds(1))
                    {
                        ev.Outcome = "resumed and stayed a member";
                        return;
                    }
                }
                else aliveSince = null;
                await Task.Delay(100, ct);
            }
            Anomaly($"#{ev.Seq} {node} neither rejoined nor exited within 30 s of SIGCONT; SIGKILL and restart");
            node.Process.Kill();
            await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await RestartAsync(node, ev, ct, "stuck after SIGCONT; killed and restarted");
        }

        /// <summary>Restarts a stopped node through every node not under a fault, and waits until they and it see each other alive.</summary>
        private async Task RestartAsync(Node node, FaultEvent? ev, CancellationToken ct, string outcome = "restarted")
        {
            var clock = Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await cluster.RestartAsync(node, Live(node));
                    break;
                }
                catch (Exception ex) when (attempt < 3 && ex is InvalidOperationException or TimeoutException)
                {
                    Anomaly($"{node} restart attempt {attempt} failed: {ex.Message.Split('\n')[0]}");
                    await Task.Delay(1000, ct);
                }
            }
            Log($"{node} restarted as pid {node.Process.Id} gen {node.Self.Generation} in {clock.ElapsedMilliseconds} ms; waiting until it and the live silos see each other");
            await RestartableCluster.WaitAsync(() => cluster.ConvergedAsync([.. Live(node), node]), JoinWithin, $"{node} and the live silos see each other alive", ct);
            if (ev is not null)
            {
                ev.Outcome = $"{outcome}, joined {clock.ElapsedMilliseconds} ms after start";
                ev.NewGeneration = node.Self.Generation;
            }
        }

        /// <summary>The nodes not under a fault, other than <paramref name="except"/>.</summary>
        private List<Node> Live(Node? except)
        {
            lock (_gate) return cluster.Nodes.Where(n => n != except && !_faulty.Contains(n.Index)).ToList();
        }

        private async Task WatchdogAsync(CancellationToken ct)
        {
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(250, ct);
                    await RecoverUnplannedExitsAsync(ct);
                }
            }
            catch (OperationCanceledException) { }
        }

        /// <summary>A node that exited without a fault (e.g. declared dead falsely): record it, restart it.</summary>
        private async Task RecoverUnplannedExitsAsync(CancellationToken ct)
        {
            foreach (var node in cluster.Nodes)
            {
                FaultEvent ev;
                lock (_gate)
                {
                    if (_faulty.Contains(node.Index) || node.Down || !node.Process.HasExited) continue;
                    _faulty.Add(node.Index);
                    ev = new FaultEvent
                    {
                        Seq = Interlocked.Increment(ref _seq), Lane = -1, Node = node.Index, Action = "unplanned", Pid = node.Process.Id,
                        Generation = node.Self.Generation, AtS = Math.Round(Now, 3), StartTs = Stopwatch.GetTimestamp(),
                    };
                    _events.Add(ev);
                }
                var tail = string.Join("\n", node.Process.Output.Split('\n').TakeLast(15));
                Anomaly($"#{ev.Seq} {node} (pid {ev.Pid}, gen {ev.Generation}) exited unplanned; log tail:\n{tail}");
                try
                {
                    await RestartAsync(node, ev, CancellationToken.None);
                    ev.RecoveredAtS = Math.Round(Now, 3);
                    lock (_gate) _faulty.Remove(node.Index);
                }
                catch (Exception ex)
                {
                    _aborted = true;
                    ev.Outcome = "not recovered: " + ex.Message.Split('\n')[0];
                    Anomaly($"#{ev.Seq} {node} not recovered after an unplanned exit: {ex.Message}");
                }
                finally
                {
                    ev.EndTs = Stopwatch.GetTimestamp();
                }
            }
        }

        // ---- what readers see ----

        /// <summary>
        /// Every target stays healthy, so any other status a reader gets is false. Once a second one
        /// silo not under a fault (in turn) lists every origin; each non-healthy one is recorded.
        /// </summary>
        private async Task ReadHealthAsync(CancellationToken ct)
        {
            try
            {
                for (var turn = 0; !ct.IsCancellationRequested; turn++)
                {
                    await Task.Delay(1000, ct);
                    var live = Live(null);
                    if (live.Count == 0) continue;
                    var node = live[turn % live.Count];
                    if (await ViewAsync(node.Process, ct) is not { } view) continue;
                    _readings++;
                    foreach (var (id, state) in view)
                        if (state.Status != "healthy")
                            lock (_falseReadings)
                                if (_falseReadings.Count < 1000)
                                    _falseReadings.Add($"+{Now:0.0} s {node} {id} {state.Status} (observed by {state.ObservedBy} at {state.ObservedAt:HH:mm:ss.fff})");
                }
            }
            catch (OperationCanceledException) { }
        }

        // ---- unprobed time ----

        private async Task SampleAsync(CancellationToken ct)
        {
            var max = new double[_ids.Length];
            var over = new Violation?[_ids.Length];
            var overIndex = new int[_ids.Length];
            var paths = _ids.Select(id => "/" + id).ToArray();
            var previous = Stopwatch.GetTimestamp();
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(SampleMs, ct);
                    var now = Stopwatch.GetTimestamp();
                    if (Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds > StallMs)
                    {
                        lock (_stalls) _stalls.Add((previous + Stopwatch.Frequency * SampleMs / 1000, now));
                        Log($"sampler stalled {Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds:0} ms (excluded from unprobed time)");
                    }
                    previous = now;
                    for (var i = 0; i < paths.Length; i++)
                    {
                        var last = target.LastHit(paths[i]);
                        if (last == 0) continue;
                        var gap = Stopwatch.GetElapsedTime(last, now).TotalMilliseconds - StalledMs(last, now);
                        if (gap > max[i]) max[i] = gap;
                        if (gap <= BoundMs)
                        {
                            over[i] = null;
                            continue;
                        }
                        lock (_violations)
                        {
                            if (over[i] is null)
                            {
                                over[i] = new Violation(_ids[i], Math.Round(SecondsOf(last), 3), Math.Round(gap), FaultsDuring(last, now));
                                overIndex[i] = _violations.Count;
                                _violations.Add(over[i]!);
                                Log($"over bound: {_ids[i]} unprobed {gap:0} ms since +{SecondsOf(last):0.0} s during {over[i]!.Faults}");
                            }
                            else _violations[overIndex[i]] = over[i]! with { GapMs = Math.Round(gap), Faults = FaultsDuring(last, now) };
                        }
                    }
                }
            }
            catch (OperationCanceledException) { }
            _maxGapMs = max;
        }

        private double StalledMs(long from, long to)
        {
            var ms = 0.0;
            lock (_stalls)
                foreach (var (a, b) in _stalls)
                {
                    var start = Math.Max(a, from);
                    var end = Math.Min(b, to);
                    if (end > start) ms += Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
                }
            return ms;
        }

        private string FaultsDuring(long from, long to)
        {
            lock (_gate)
            {
                var during = _events.Where(e => e.StartTs <= to && (e.EndTs == 0 || e.EndTs >= from))
                    .Select(e => $"#{e.Seq} {e.Action} node{e.Node} at +{e.AtS:0.0} s").ToList();
                return during.Count > 0 ? string.Join(", ", during) : "no fault";
            }
        }

        // ---- replicas ----

        private static async Task<Dictionary<string, OriginState>?> ViewAsync(SiloProcess silo, CancellationToken ct)
        {
            try
            {
                var list = await silo.Http.GetFromJsonAsync<JsonElement>("/api/origins", ct);
                var view = new Dictionary<string, OriginState>();
                foreach (var item in list.GetProperty("items").EnumerateArray())
                {
                    var spec = string.Join(";", item.EnumerateObject()
                        .Where(p => p.Name is not ("health" or "observedBy" or "observedAt" or "replicatedAt"))
                        .Select(p => $"{p.Name}={p.Value.GetRawText()}"));
                    var health = item.GetProperty("health");
                    view[item.GetProperty("id").GetString()!] = new OriginState(spec, item.GetProperty("url").GetString()!,
                        item.GetProperty("intervalMs").GetInt32(), health.GetProperty("status").GetString()!,
                        item.TryGetProperty("observedBy", out var by) ? by.GetString() : null,
                        item.TryGetProperty("observedAt", out var at) ? at.GetDateTimeOffset() : null);
                }
                return view;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or ObjectDisposedException)
            {
                return null;
            }
        }

        /// <summary>Everything that keeps the replicas from being equal (see the class remarks); empty when equal.</summary>
        private List<string> Differences(IReadOnlyList<Dictionary<string, OriginState>?> views)
        {
            var diffs = new List<string>();
            for (var k = 0; k < views.Count; k++)
                if (views[k] is null) diffs.Add($"node{k} did not answer");
            if (diffs.Count > 0) return diffs;
            var registered = _ids.ToHashSet();
            foreach (var id in views.SelectMany(v => v!.Keys).Concat(_ids).Distinct().Order(StringComparer.Ordinal))
            {
                var missing = Enumerable.Range(0, views.Count).Where(k => !views[k]!.ContainsKey(id)).ToList();
                if (!registered.Contains(id)) diffs.Add($"{id}: listed but never registered");
                if (missing.Count > 0)
                {
                    diffs.Add($"{id}: missing on {string.Join(", ", missing.Select(k => $"node{k}"))}");
                    continue;
                }
                var states = views.Select(v => v![id]).ToList();
                string Each(Func<OriginState, object?> field) => string.Join(", ", states.Select((s, k) => $"node{k}={field(s)}"));
                if (states.Any(s => s.Url != target.Url($"/{id}") || s.IntervalMs != o.IntervalMs)) diffs.Add($"{id}: spec is not the registered one: {Each(s => s.Url)}");
                if (states.Select(s => s.Spec).Distinct().Count() > 1) diffs.Add($"{id}: specs differ");
                if (states.Select(s => s.Status).Distinct().Count() > 1) diffs.Add($"{id}: status differs: {Each(s => s.Status)}");
                if (states.Select(s => s.ObservedBy).Distinct().Count() > 1) diffs.Add($"{id}: observedBy differs: {Each(s => s.ObservedBy)}");
                if (states.Any(s => s.ObservedAt is null)) diffs.Add($"{id}: never observed on some silo: {Each(s => s.ObservedAt?.ToString("HH:mm:ss.fff"))}");
                else
                {
                    var spread = (states.Max(s => s.ObservedAt!.Value) - states.Min(s => s.ObservedAt!.Value)).TotalMilliseconds;
                    if (spread > 1.5 * o.IntervalMs) diffs.Add($"{id}: observations {spread:0} ms apart: {Each(s => $"{s.ObservedAt!.Value:HH:mm:ss.fff} by {s.ObservedBy}")}");
                }
            }
            return diffs;
        }

        /// <summary>SWIM packets this generation threw away by injected loss, and all it sent and received.</summary>
        private static async Task<(long Injected, long Packets)> TransportAsync(SiloProcess silo, CancellationToken ct)
        {
            try
            {
                var doc = await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members", ct);
                if (!doc.TryGetProperty("transport", out var t) || t.ValueKind != JsonValueKind.Object) return (0, 0);
                var injected = t.TryGetProperty("dropped", out var d) && d.TryGetProperty("injected", out var i) ? i.GetInt64() : 0;
                return (injected, t.GetProperty("udpPacketsSent").GetInt64() + t.GetProperty("udpPacketsReceived").GetInt64());
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                return (0, 0);
            }
        }
    }
}
