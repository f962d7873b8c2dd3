using Heck.Grains.Health;
using Heck.Grains.Replica;
using Heck.Health;
using Heck.Replication;

namespace Heck.Grains.Origins;

/// <summary>
/// Every read of an origin's health, on any silo: from the local replica, the record
/// <see cref="ShownHealth"/> chooses, judged by <see cref="Staleness"/> at the time of the read.
/// The API, the SDK's reader grain and the <c>?status=</c> filter all go through here, so they
/// agree on what "unknown" means.
/// </summary>
public sealed class OriginReads(LocalReplica replica, TimeProvider time)
{
    public OriginView? Get(string id)
    {
        var state = replica.State;
        return replica.Get(id) is { } view ? Read(state, view, time.GetUtcNow()) : null;
    }

    /// <summary>All origins, sorted by id; with <paramref name="status"/>, those that read so now (a stale one is unknown).</summary>
    public IReadOnlyList<OriginView> List(HealthStatus? status)
    {
        var state = replica.State;
        var now = time.GetUtcNow();
        var items = new List<OriginView>();
        foreach (var raw in replica.List(null))
        {
            var view = Read(state, raw, now);
            if (status is null || view.Health.Status == status) items.Add(view);
        }
        return items;
    }

    private static OriginView Read(ReplicaState state, OriginView view, DateTimeOffset now)
    {
        if (ShownHealth.Choose(ShownHealth.Current(state, view.Spec.Id), view.Spec.IntervalMs, now) is { } record &&
            record.Slot.ToString() != view.ObservedBy)
            view = view with { Health = record.Health, ObservedBy = record.Slot.ToString(), ObservedAt = record.Hlc.Wall };
        return Staleness.Judge(view, now);
    }
}
