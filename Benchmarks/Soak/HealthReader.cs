namespace Heck.Benchmarks.Soak;

/// <summary>
/// What readers see during the soak. Every target stays healthy, so a registered origin listed as anything but
/// healthy (or as <c>stale</c>, which counts as unknown) is a false reading; it is excused only on a silo that is
/// itself cut off (hung, or on the minority side of a partition) within the staleness bound (see
/// <see cref="FaultPlan.CutOff"/>). Every silo is read about once a second, each by its own loop.
/// </summary>
internal sealed class HealthReader(SoakScenario.Options o, RestartableCluster cluster, string[] ids, FaultPlan plan, OriginChurn churn, SoakLog log)
{
    private readonly List<string> _false = [];
    private readonly List<string> _excused = [];
    private int _readings, _falseCount, _excusedCount;

    /// <summary>Full lists read so far.</summary>
    public int Readings => _readings;
    /// <summary>False readings not excused: the check (goal 0).</summary>
    public int FalseCount => _falseCount;
    /// <summary>False readings on a cut-off silo within the staleness bound (information).</summary>
    public int ExcusedCount => _excusedCount;

    public List<string> FalseReadings()
    {
        lock (_false) return [.. _false];
    }

    public List<string> ExcusedReadings()
    {
        lock (_false) return [.. _excused];
    }

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(cluster.Nodes.Select(n => ReadAsync(n, ct)));

    private async Task ReadAsync(ClusterNode node, CancellationToken ct)
    {
        try
        {
            for (var turn = 0; turn < 1_000_000 && !ct.IsCancellationRequested; turn++)
            {
                await Task.Delay(1000, ct);
                if (node.Down) continue;
                var start = Stopwatch.GetTimestamp();
                if (await ReplicaEquality.ViewAsync(node.Process, ct) is not { } view) continue;
                var end = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _readings);
                churn.Observe(node, start, view.Keys);
                // Churned origins count once they are older than the bound: a new origin is unknown until probed.
                var expected = ids.Concat(churn.Existing(o.StaleBoundMs + o.IntervalMs));
                var excused = plan.CutOff(node.Index, start) || plan.CutOff(node.Index, end);
                foreach (var id in expected)
                {
                    if (!view.TryGetValue(id, out var state) || (state.Status == "healthy" && !state.Stale)) continue;
                    var line = $"+{log.SecondsOf(start):0.0} s {node} {id} {state.Status}{(state.Stale ? " (stale)" : "")} (observed by {state.ObservedBy} at {state.ObservedAt:HH:mm:ss.fff})";
                    lock (_false)
                    {
                        if (excused)
                        {
                            _excusedCount++;
                            if (_excused.Count < 200) _excused.Add(line);
                        }
                        else
                        {
                            _falseCount++;
                            if (_false.Count < 1000) _false.Add(line + ", during " + plan.FaultsDuring(start - Stopwatch.Frequency * 10, end));
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
    }
}
