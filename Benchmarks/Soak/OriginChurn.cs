using Node = Heck.Harness.ClusterNode;

namespace Heck.Benchmarks.Soak;

/// <summary>
/// Origins deleted and (re-)created during the faults, from their own seeded <see cref="Random"/>: every
/// 60 / <c>--churn-per-minute</c> s (±50 %) one of: create a new origin <c>c{k}</c>, delete a live one, or re-create
/// a deleted one, through a silo not under a fault (and on the majority side of a partition). Each acknowledged
/// operation is the origin's expected state; one whose outcome stayed unknown (no silo answered) is left out of
/// the checks. <see cref="Resurrections"/> are deleted origins that a silo listed again after having listed them gone
/// (<see cref="ChurnLedger"/> keeps the expectations; an operation counts from when its request is sent).
/// </summary>
internal sealed class OriginChurn(SoakScenario.Options o, SoakTarget target, SoakLog log, FaultPlan plan)
{
    private readonly ChurnLedger _ledger = new();
    private readonly Lock _gate = new();
    private readonly List<string> _resurrections = [];
    private int _creates, _deletes, _recreates;

    public (int Creates, int Deletes, int Recreates) Counts => (_creates, _deletes, _recreates);

    /// <summary>Churned origins that should exist now (acknowledged create, not deleted since), older than <paramref name="olderThanMs"/>.</summary>
    public List<string> Existing(double olderThanMs = 0) =>
        _ledger.Existing(Stopwatch.GetTimestamp() - (long)(olderThanMs * Stopwatch.Frequency / 1000));

    /// <summary>Churned origins deleted (acknowledged) and not re-created since.</summary>
    public List<string> Deleted() => _ledger.Deleted();

    public List<string> Uncertain() => _ledger.Uncertain();

    public List<string> Resurrections()
    {
        lock (_gate) return [.. _resurrections];
    }

    /// <summary>A full list one silo gave, read from <paramref name="startTs"/>: deleted origins it lists again after listing them gone are resurrections.</summary>
    public void Observe(Node node, long startTs, IReadOnlyCollection<string> listed)
    {
        foreach (var (id, deletedAt) in _ledger.Observe(node.Index, startTs, listed))
        {
            lock (_gate) _resurrections.Add($"+{log.Now:0.0} s {id} deleted at +{log.SecondsOf(deletedAt):0.0} s, gone on {node}, listed again");
            log.Write($"RESURRECTED: {id} on {node} (deleted at +{log.SecondsOf(deletedAt):0.0} s)");
        }
    }

    public async Task RunAsync(TimeSpan until, CancellationToken ct)
    {
        if (o.ChurnPerMinute <= 0) return;
        var random = new Random(unchecked(o.Seed * 7919 + 1_299_709));
        var clock = Stopwatch.StartNew();
        var meanMs = 60_000 / o.ChurnPerMinute;
        var next = 0;
        for (var step = 0; step < 100_000; step++)
        {
            var idleMs = (int)(meanMs * (0.5 + random.NextDouble()));
            var pick = random.Next(3);
            var choice = random.Next(1 << 20);
            await Task.Delay(idleMs, ct);
            if (clock.Elapsed >= until || plan.Aborted) return;
            var live = _ledger.Live();
            var gone = _ledger.Deleted();
            // create (or when nothing else is possible), delete a live one, re-create a deleted one
            if (pick == 1 && live.Count > 0) await ApplyAsync(live[choice % live.Count], false, "delete", ct);
            else if (pick == 2 && gone.Count > 0) await ApplyAsync(gone[choice % gone.Count], true, "re-create", ct);
            else await ApplyAsync($"c{next++}", true, "create", ct);
        }
    }

    private async Task ApplyAsync(string id, bool create, string what, CancellationToken ct)
    {
        // From here a silo may show the operation's effect, before (or without) its answer.
        _ledger.Sending(id, Stopwatch.GetTimestamp());
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            var silos = plan.Reachable();
            if (silos.Count == 0)
            {
                await Task.Delay(500, ct);
                continue;
            }
            var node = silos[attempt % silos.Count];
            try
            {
                using var response = create
                    ? await node.Process.Http.PutAsJsonAsync($"/api/origins/{id}", new { url = target.Url($"/{id}"), intervalMs = o.IntervalMs }, ct)
                    : await node.Process.Http.DeleteAsync($"/api/origins/{id}", ct);
                if (response.IsSuccessStatusCode || (!create && response.StatusCode == System.Net.HttpStatusCode.NotFound))
                {
                    _ledger.Acknowledged(id, create, Stopwatch.GetTimestamp());
                    if (what == "create") _creates++;
                    else if (create) _recreates++;
                    else _deletes++;
                    log.Write($"churn: {what} {id} through {node}: {(int)response.StatusCode}");
                    return;
                }
                log.Write($"churn: {what} {id} through {node} answered {(int)response.StatusCode} (attempt {attempt})");
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or ObjectDisposedException && !ct.IsCancellationRequested)
            {
                log.Write($"churn: {what} {id} through {node} failed (attempt {attempt}): {ex.Message.Split('\n')[0]}");
            }
            await Task.Delay(500, ct);
        }
        _ledger.GaveUp(id);
        log.Anomaly($"churn: {what} {id}: no silo acknowledged it in 6 attempts; its state is unknown and left out of the checks");
    }
}
