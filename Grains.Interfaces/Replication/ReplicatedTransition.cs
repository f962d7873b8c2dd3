using Heck.Health;

namespace Heck.Replication;

/// <summary>
/// A health transition as replicated: stamped with the hybrid logical clock and the dot of the
/// write that produced it. Ordering by (<see cref="Hlc"/>, <see cref="Dot"/>) is a total order
/// that extends causality, so every replica lists an origin's transitions alike, also across
/// an ownership handoff (the new owner's clock observed the old owner's writes).
/// </summary>
[GenerateSerializer, Alias("heck.ReplicatedTransition"), Immutable]
public sealed record ReplicatedTransition(
    [property: Id(0)] HealthTransition Transition,
    [property: Id(1)] Hlc Hlc,
    [property: Id(2)] Dot Dot) : IComparable<ReplicatedTransition>
{
    public int CompareTo(ReplicatedTransition? other)
    {
        if (other is null) return 1;
        var c = Hlc.CompareTo(other.Hlc);
        return c != 0 ? c : Dot.CompareTo(other.Dot);
    }

    public ReplicaId Slot => Dot.Replica;

    public int EstimatedBytes => 40 + Transition.Reason.Length + Dot.EstimatedBytes;
}
