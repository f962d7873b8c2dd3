using Node = Heck.Harness.RestartableCluster.Node;

namespace Heck.Benchmarks.Soak;

/// <summary>
/// The soak's faults (see <see cref="SoakScenario"/>): lanes of seeded random SIGKILL, SIGSTOP and
/// SIGTERM with restarts, a watchdog that restarts nodes which exit unplanned, and the record of
/// every fault. A node under a fault is never a seed for a restart.
/// </summary>
internal sealed class FaultPlan(SoakScenario.Options o, RestartableCluster cluster, SoakLog log)
{
    private readonly Lock _gate = new();
    private readonly HashSet<int> _faulty = [];
    private readonly List<FaultEvent> _events = [];
    private int _seq;
    private volatile bool _aborted;

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
        await Task.WhenAll(Enumerable.Range(0, lanes).Select(lane => LaneAsync(lane, lanes, clock, until, ct)));
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
                .Select(e => $"#{e.Seq} {e.Action} node{e.Node} at +{e.AtS:0.0} s").ToList();
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
                log.Write($"#{ev.Seq} {node} exited {clock.ElapsedMilliseconds} ms after SIGCONT");
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
