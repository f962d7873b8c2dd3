namespace Heck.Benchmarks.Soak;

/// <summary>What readers see during the soak: information, not a check.</summary>
internal sealed class HealthReader(FaultPlan plan, SoakLog log)
{
    private readonly List<string> _falseReadings = [];
    private int _readings;

    /// <summary>Full lists read so far.</summary>
    public int Readings => _readings;

    public List<string> FalseReadings()
    {
        lock (_falseReadings) return [.. _falseReadings];
    }

    /// <summary>
    /// Every target stays healthy, so any other status a reader gets is false. Once a second one
    /// silo not under a fault (in turn) lists every origin; each non-healthy one is recorded.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            for (var turn = 0; !ct.IsCancellationRequested; turn++)
            {
                await Task.Delay(1000, ct);
                var live = plan.Live(null);
                if (live.Count == 0) continue;
                var node = live[turn % live.Count];
                if (await ReplicaEquality.ViewAsync(node.Process, ct) is not { } view) continue;
                _readings++;
                foreach (var (id, state) in view)
                    if (state.Status != "healthy")
                        lock (_falseReadings)
                            if (_falseReadings.Count < 1000)
                                _falseReadings.Add($"+{log.Now:0.0} s {node} {id} {state.Status} (observed by {state.ObservedBy} at {state.ObservedAt:HH:mm:ss.fff})");
            }
        }
        catch (OperationCanceledException) { }
    }
}
