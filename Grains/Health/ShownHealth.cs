using Heck.Health;
using Heck.Replication;

namespace Heck.Grains.Health;

/// <summary>
/// Which slot's record a read shows, and a new owner starts from. Pure. The freshest record with
/// a verdict (not unknown) wins over fresher unknown ones while it is within the staleness bound:
/// an unknown record only says its writer has no verdict yet (a new owner that probed before
/// gossip brought it the old owner's verdict), never that the origin's state is unknown. Past
/// the bound, the freshest record of all wins, so an active owner's unknown is shown rather than a
/// dead owner's stale verdict.
/// </summary>
public static class ShownHealth
{
    /// <summary>The record to show among an origin's current-generation <paramref name="records"/>; null when there are none.</summary>
    public static SlotRecord? Choose(IEnumerable<SlotRecord> records, int intervalMs, DateTimeOffset now)
    {
        SlotRecord? freshest = null, verdict = null;
        foreach (var r in records)
        {
            if (freshest is null || r.CompareTo(freshest) > 0) freshest = r;
            if (r.Health.Status != HealthStatus.Unknown && (verdict is null || r.CompareTo(verdict) > 0)) verdict = r;
        }
        return verdict is not null && !Staleness.IsStale(now - verdict.Hlc.Wall, intervalMs) ? verdict : freshest;
    }

    /// <summary>The records of the origin's current generation in <paramref name="state"/>: what reads choose from.</summary>
    public static IEnumerable<SlotRecord> Current(ReplicaState state, string originId) =>
        state.Registry.Get(originId) is { IsTombstone: false } entry
            ? state.Health.Slots(originId).Values.Where(r => r.Generation == entry.Generation)
            : [];

    /// <summary>The verdict (not unknown, not stale) a new owner of the origin starts from; null when there is none.</summary>
    public static HealthView? VerdictToResume(ReplicaState state, string originId, int intervalMs, DateTimeOffset now) =>
        Choose(Current(state, originId), intervalMs, now) is { Health.Status: not HealthStatus.Unknown } r &&
        !Staleness.IsStale(now - r.Hlc.Wall, intervalMs)
            ? r.Health
            : null;
}
