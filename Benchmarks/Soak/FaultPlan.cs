using Node = Heck.Harness.ClusterNode;

namespace Heck.Benchmarks.Soak;

/// <summary>
/// The soak's faults (see <see cref="SoakScenario"/>): lanes of seeded random SIGKILL, SIGSTOP and
/// SIGTERM with restarts, a watchdog that restarts nodes which exit unplanned, and the record of
/// every fault. A node under a fault is never a seed for a restart.
/// </summary>
internal sealed class FaultPlan
{
    private readonly SoakScenario.Options o;
    private readonly RestartableCluster cluster;
    private readonly SoakLog log;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _faulty = [];
    private readonly List<FaultEvent> _events = [];
    private readonly List<PartitionEvent> _partitions = [];
    private readonly List<RejoinEvent> _rejoins = [];
    private readonly List<(int Node, long From, long To)> _cutOff = [];
    private int _seq;
    private volatile bool _aborted;
    private volatile PartitionEvent? _current;
    private volatile bool _partitionPending;

    public FaultPlan(SoakScenario.Options o, RestartableCluster cluster, SoakLog log)
    {
        this.o = o;
        this.cluster = cluster;
        this.log = log;
        cluster.Rejoined += (node, old, now) =>
        {
            var ev = new RejoinEvent(node.Index, old.Generation, now.Generation, Math.Round(log.Now, 3),
                FaultsDuring(Stopwatch.GetTimestamp() - Stopwatch.Frequency * 30, Stopwatch.GetTimestamp()));
            lock (_gate) _rejoins.Add(ev);
            log.Write($"{node} rejoined in-process: gen {old.Generation} -> {now.Generation} (faults in the last 30 s: {ev.Faults})");
        };
    }

    /// <summary>The partition in force (cut and not yet healed), or null.</summary>
    public PartitionEvent? CurrentPartition => _current;

    public List<PartitionEvent> Partitions()
    {
        lock (_gate) return [.. _partitions];
    }

    public List<RejoinEvent> Rejoins()
    {
        lock (_gate) return [.. _rejoins];
    }

    /// <summary>
    /// True when <paramref name="node"/> was cut off at <paramref name="ts"/> or within the staleness bound after
    /// (hung: SIGSTOP to SIGCONT + bound; minority side: cut to cut + detection + bound, heal to heal + bound).
    /// </summary>
    public bool CutOff(int node, long ts)
    {
        lock (_gate)
        {
            foreach (var (n, from, to) in _cutOff)
                if (n == node && ts >= from && (to == 0 || ts <= to)) return true;
            return _faulty.Contains(node) && _events.Any(e => e.Node == node && e.Action == "stop" && e.EndTs == 0 && ts >= e.StartTs);
        }
    }

    private static long Ticks(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    /// <summary>True once a fault could not be recovered (faults then stop).</summary>
    public bool Aborted => _aborted;

    public List<FaultEvent> Events()
    {
        lock (_gate) return [.. _events];
    }

    /// <summary>Runs every lane until <paramref name="until"/> has passed, then restarts what exited unplanned; returns how long faults ran.</summary>
    public async Task<TimeSpan> RunAsync(TimeSpan until, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watchdog = WatchdogAsync(watching.Token);
        var lanes = o.Lanes;
        var partitioning = o.Partitions ? PartitionLaneAsync(clock, until, ct) : Task.CompletedTask;
        await Task.WhenAll(Enumerable.Range(0, lanes).Select(lane => LaneAsync(lane, lanes, clock, until, ct)).Append(partitioning));
        await watching.CancelAsync();
        await watchdog;
        await RecoverUnplannedExitsAsync(ct); // one last look, with the lanes done
        return clock.Elapsed;
    }

    /// <summary>The faults that overlapped [<paramref name="from"/>, <paramref name="to"/>] (timestamps), described.</summary>
    public string FaultsDuring(long from, long to)
    {
        lock (_gate)
        {
            var during = _events.Where(e => e.StartTs <= to && (e.EndTs == 0 || e.EndTs >= from))
                .Select(e => (e.Seq, Text: $"#{e.Seq} {e.Action} node{e.Node} at +{e.AtS:0.0} s"))
                .Concat(_partitions.Where(p => p.CutTs <= to && (p.HealTs == 0 || p.HealTs >= from))
                    .Select(p => (p.Seq, Text: $"#{p.Seq} partition {p.Shape} cutting node{string.Join(",node", p.Minority)} at +{p.AtS:0.0} s")))
                .OrderBy(e => e.Seq).Select(e => e.Text).ToList();
            return during.Count > 0 ? string.Join(", ", during) : "no fault";
        }
    }

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
            // A partition is a fault of the whole cluster: no silo fault starts while one is pending or in force.
            for (var wait = 0; wait < 2000 && (_partitionPending || _current is not null); wait++) await Task.Delay(100, ct);
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
            Pid = process.Id, Generation = node.Self.Generation, DownMs = downMs, AtS = Math.Round(log.Now, 3), StartTs = Stopwatch.GetTimestamp(),
        };
        lock (_gate)
        {
            _faulty.Add(node.Index);
            _events.Add(ev);
        }
        log.Write($"#{ev.Seq} {node} (pid {ev.Pid}, gen {ev.Generation}): {fault switch { Fault.Kill => "SIGKILL", Fault.Stop => "SIGSTOP", _ => "SIGTERM" }}, {(fault == Fault.Stop ? "SIGCONT" : "restart")} after {downMs} ms");
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
                        log.Anomaly($"#{ev.Seq} {node} did not exit within 30 s of SIGTERM; SIGKILL");
                        process.Kill();
                        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
                    }
                    log.Write($"#{ev.Seq} {node} exited {stopping.ElapsedMilliseconds} ms after SIGTERM");
                    await Task.Delay(downMs, ct);
                    await RestartAsync(node, ev, ct);
                    break;
                default:
                    process.Pause();
                    await Task.Delay(downMs, ct);
                    process.Resume();
                    lock (_gate) _cutOff.Add((node.Index, ev.StartTs, Stopwatch.GetTimestamp() + Ticks(o.StaleBoundMs)));
                    await AfterResumeAsync(node, ev, ct);
                    break;
            }
            ev.RecoveredAtS = Math.Round(log.Now, 3);
            await watch.CancelAsync();
            await declared;
            log.Write($"#{ev.Seq} {node} recovered: {ev.Outcome}{(ev.DeclaredDeadAfterMs is { } d ? $"; gen {oldSelf.Generation} declared dead everywhere {d:0} ms after the signal" : "")}");
            lock (_gate) _faulty.Remove(node.Index);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The node stays marked faulty (so no lane takes a majority down) and the run stops faulting.
            _aborted = true;
            ev.Outcome = "not recovered: " + ex.Message.Split('\n')[0];
            log.Anomaly($"#{ev.Seq} {node} not recovered, faults stop: {ex.Message}");
        }
        finally
        {
            ev.EndTs = Stopwatch.GetTimestamp();
            await watch.CancelAsync();
            await declared;
        }
    }

    /// <summary>
    /// Partitions, one at a time from their own seeded <see cref="Random"/>: after 10–30 s, a minority of 1 to
    /// (N−1)/2 silos (3/2 and 1/4 with five) is cut from the rest for 5–20 s, then healed; the plan waits until the
    /// silos under faults have recovered before cutting, and after the heal until one cluster (at most 60 s).
    /// </summary>
    private async Task PartitionLaneAsync(Stopwatch clock, TimeSpan until, CancellationToken ct)
    {
        var random = new Random(unchecked(o.Seed * 7919 + 104_729));
        for (var step = 0; step < 10_000 && !_aborted; step++)
        {
            var idleMs = random.Next(10_000, 30_001);
            var size = random.Next(1, Math.Max(1, (o.Silos - 1) / 2) + 1);
            var minority = Enumerable.Range(0, o.Silos).OrderBy(_ => random.Next()).Take(size).Order().ToArray();
            var holdMs = random.Next(5000, 20_001);
            await Task.Delay(idleMs, ct);
            if (clock.Elapsed >= until) return;
            _partitionPending = true;
            try
            {
                for (var wait = 0; wait < 1200; wait++)
                {
                    lock (_gate)
                        if (_faulty.Count == 0) break;
                    await Task.Delay(100, ct);
                }
                if (clock.Elapsed >= until) return;
                await PartitionAsync(minority, holdMs, ct);
            }
            finally
            {
                _partitionPending = false;
            }
        }
    }

    private async Task PartitionAsync(int[] minority, int holdMs, CancellationToken ct)
    {
        var side = cluster.Nodes.Where(n => minority.Contains(n.Index)).ToList();
        var rest = cluster.Nodes.Where(n => !minority.Contains(n.Index)).ToList();
        var ev = new PartitionEvent
        {
            Seq = Interlocked.Increment(ref _seq), Minority = minority, Shape = $"{rest.Count}/{side.Count}", HoldMs = holdMs,
            Sides = [[.. side.Select(n => n.Address)], [.. rest.Select(n => n.Address)]],
        };
        log.Write($"#{ev.Seq} partition {ev.Shape}: {string.Join(",", side)} cut from {string.Join(",", rest)} for {holdMs} ms");
        var partition = cluster.Cut(side, rest);
        ev.CutTs = Stopwatch.GetTimestamp();
        ev.AtS = Math.Round(log.Now, 3);
        lock (_gate)
        {
            _partitions.Add(ev);
            foreach (var n in minority) _cutOff.Add((n, ev.CutTs, ev.CutTs + Ticks(o.DetectionMs + o.StaleBoundMs)));
        }
        _current = ev;
        try
        {
            await Task.Delay(holdMs, ct);
        }
        finally
        {
            partition.Heal();
            ev.HealTs = Stopwatch.GetTimestamp();
            ev.HealedAtS = Math.Round(log.Now, 3);
            lock (_gate)
                foreach (var n in minority) _cutOff.Add((n, ev.HealTs, ev.HealTs + Ticks(o.StaleBoundMs)));
            _current = null;
        }
        log.Write($"#{ev.Seq} partition {ev.Shape} healed");
        var clock = Stopwatch.StartNew();
        try
        {
            await RestartableCluster.WaitAsync(() => cluster.ConvergedAsync(cluster.Nodes), SoakScenario.JoinWithin, "one cluster after the heal", ct, 200);
            ev.OneClusterAfterMs = Math.Round(clock.Elapsed.TotalMilliseconds);
            ev.ClustersAfterHeal = 1;
            log.Write($"#{ev.Seq} one cluster {ev.OneClusterAfterMs:0} ms after the heal");
        }
        catch (TimeoutException)
        {
            ev.ClustersAfterHeal = await cluster.ClustersAsync();
            log.Anomaly($"#{ev.Seq} not one cluster {SoakScenario.JoinWithin.TotalSeconds:0} s after the heal: {ev.ClustersAfterHeal} member sets");
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
                    catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or JsonException or ObjectDisposedException) { return "unanswered"; }
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
                log.Write($"#{ev.Seq} {node} exited {clock.ElapsedMilliseconds} ms after SIGCONT");
                await RestartAsync(node, ev, ct, "declared dead, exited on SIGCONT; restarted");
                return;
            }
            await cluster.RefreshSelfAsync(node, ct);
            if (node.Self.Generation != ev.Generation)
            {
                log.Write($"#{ev.Seq} {node} rejoined in-process as gen {node.Self.Generation} {clock.ElapsedMilliseconds} ms after SIGCONT");
                await RestartableCluster.WaitAsync(() => cluster.ConvergedAsync([.. Live(node), node]), SoakScenario.JoinWithin, $"{node} and the live silos see each other alive", ct);
                ev.Outcome = $"declared dead, rejoined in-process, joined {clock.ElapsedMilliseconds} ms after SIGCONT";
                ev.NewGeneration = node.Self.Generation;
                return;
            }
            var statuses = await Task.WhenAll(Live(node).Select(async n =>
            {
                try { return await LocalCluster.StatusOfAsync(n.Process, node.Self); }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or JsonException or ObjectDisposedException) { return "unanswered"; }
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
        log.Anomaly($"#{ev.Seq} {node} neither rejoined nor exited within 30 s of SIGCONT; SIGKILL and restart");
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
                log.Anomaly($"{node} restart attempt {attempt} failed: {ex.Message.Split('\n')[0]}");
                await Task.Delay(1000, ct);
            }
        }
        log.Write($"{node} restarted as pid {node.Process.Id} gen {node.Self.Generation} in {clock.ElapsedMilliseconds} ms; waiting until it and the live silos see each other");
        await RestartableCluster.WaitAsync(() => cluster.ConvergedAsync([.. Live(node), node]), SoakScenario.JoinWithin, $"{node} and the live silos see each other alive", ct);
        if (ev is not null)
        {
            ev.Outcome = $"{outcome}, joined {clock.ElapsedMilliseconds} ms after start";
            ev.NewGeneration = node.Self.Generation;
        }
    }

    /// <summary>The nodes not under a fault and not on the minority side of a partition in force.</summary>
    public List<Node> Reachable()
    {
        var cut = _current?.Minority ?? [];
        return Live(null).Where(n => !cut.Contains(n.Index)).ToList();
    }

    /// <summary>The nodes not under a fault, other than <paramref name="except"/>.</summary>
    public List<Node> Live(Node? except)
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
                await Task.WhenAll(cluster.Nodes.Select(n => cluster.RefreshSelfAsync(n, ct))); // counts in-process rejoins
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
                    Generation = node.Self.Generation, AtS = Math.Round(log.Now, 3), StartTs = Stopwatch.GetTimestamp(),
                };
                _events.Add(ev);
            }
            var tail = string.Join("\n", node.Process.Output.Split('\n').TakeLast(15));
            log.Anomaly($"#{ev.Seq} {node} (pid {ev.Pid}, gen {ev.Generation}) exited unplanned; log tail:\n{tail}");
            try
            {
                await RestartAsync(node, ev, CancellationToken.None);
                ev.RecoveredAtS = Math.Round(log.Now, 3);
                lock (_gate) _faulty.Remove(node.Index);
            }
            catch (Exception ex)
            {
                _aborted = true;
                ev.Outcome = "not recovered: " + ex.Message.Split('\n')[0];
                log.Anomaly($"#{ev.Seq} {node} not recovered after an unplanned exit: {ex.Message}");
            }
            finally
            {
                ev.EndTs = Stopwatch.GetTimestamp();
            }
        }
    }
}
