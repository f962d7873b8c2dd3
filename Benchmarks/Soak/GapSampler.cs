namespace Heck.Benchmarks.Soak;

/// <summary>
/// Unprobed time (see <see cref="SoakScenario"/>): every 100 ms the target's last hit of each origin
/// is read (during a partition, each side's: by source address); a sampler tick more than 500 ms late is a stall of
/// this process and is excluded.
/// </summary>
internal sealed class GapSampler(SoakScenario.Options o, string[] ids, SoakTarget target, SoakLog log, FaultPlan plan)
{
    private readonly List<(long From, long To)> _stalls = [];
    private readonly List<Violation> _violations = [];

    /// <summary>An origin unprobed longer than the bound: since when, for how long, during which faults.</summary>
    public sealed record Violation(string Origin, double FromS, double GapMs, string Faults);

    /// <summary>Each origin's longest unprobed time, once <see cref="RunAsync"/> has ended.</summary>
    public double[] MaxGapMs { get; private set; } = [];

    public IReadOnlyList<(long From, long To)> Stalls => _stalls;

    public List<Violation> Violations()
    {
        lock (_violations) return [.. _violations];
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var max = new double[ids.Length];
        var over = new Violation?[ids.Length];
        var overIndex = new int[ids.Length];
        var paths = ids.Select(id => "/" + id).ToArray();
        var previous = Stopwatch.GetTimestamp();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(SoakScenario.SampleMs, ct);
                var now = Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds > SoakScenario.StallMs)
                {
                    lock (_stalls) _stalls.Add((previous + Stopwatch.Frequency * SoakScenario.SampleMs / 1000, now));
                    log.Write($"sampler stalled {Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds:0} ms (excluded from unprobed time)");
                }
                previous = now;
                var partition = plan.CurrentPartition;
                if (partition is not null) partition.Baseline ??= paths.Select(target.LastHit).ToArray();
                for (var i = 0; i < paths.Length; i++)
                {
                    var last = target.LastHit(paths[i]);
                    if (last == 0) continue;
                    var side = "";
                    if (partition?.Baseline is { } baseline)
                    {
                        // During a partition each side must keep probing: count from the side's own last hit, or
                        // from the last hit before the cut (as if the other side's owner had crashed then).
                        for (var k = 0; k < partition.Sides.Length; k++)
                        {
                            var sideLast = Math.Max(baseline[i], target.LastHitFrom(paths[i], partition.Sides[k]));
                            if (sideLast < last)
                            {
                                last = sideLast;
                                side = $" on the {(k == 0 ? "minority" : "majority")} side of #{partition.Seq}";
                            }
                        }
                    }
                    var gap = Stopwatch.GetElapsedTime(last, now).TotalMilliseconds - StalledMs(last, now);
                    if (gap > max[i]) max[i] = gap;
                    if (gap <= o.UnprobedBoundMs)
                    {
                        over[i] = null;
                        continue;
                    }
                    lock (_violations)
                    {
                        if (over[i] is null)
                        {
                            over[i] = new Violation(ids[i] + side, Math.Round(log.SecondsOf(last), 3), Math.Round(gap), plan.FaultsDuring(last, now));
                            overIndex[i] = _violations.Count;
                            _violations.Add(over[i]!);
                            log.Write($"over bound: {ids[i]}{side} unprobed {gap:0} ms since +{log.SecondsOf(last):0.0} s during {over[i]!.Faults}");
                        }
                        else _violations[overIndex[i]] = over[i]! with { GapMs = Math.Round(gap), Faults = plan.FaultsDuring(last, now) };
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
        MaxGapMs = max;
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
}
