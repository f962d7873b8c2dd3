using System.Collections.Immutable;
using Heck.Health;

namespace Heck.Replication;

/// <summary>
/// What one prober slot (a silo generation, the only writer of the slot) last reported about
/// one origin. A newer record of the slot replaces the older one, so it carries the slot's
/// recent transitions with it: a replica that missed the intermediate records still learns them.
/// </summary>
/// <param name="Generation">The registry generation of the origin the slot probed; health of an
/// older generation (a removed origin that was added again) is never shown.</param>
/// <param name="Sequence">1, 2, 3, … per (origin, slot).</param>
[GenerateSerializer, Alias("heck.SlotRecord"), Immutable]
public sealed record SlotRecord(
    [property: Id(0)] string OriginId,
    [property: Id(1)] ReplicaId Slot,
    [property: Id(2)] long Generation,
    // Id 3 stays unused, so records from a build that still sent a role read the same.
    [property: Id(4)] HealthView Health,
    [property: Id(5)] ImmutableArray<ReplicatedTransition> Transitions,
    [property: Id(6)] Hlc Hlc,
    [property: Id(7)] long Sequence,
    [property: Id(8)] Dot Dot) : IComparable<SlotRecord>
{
    /// <summary>Transitions kept per slot record; older ones drop off.</summary>
    public const int MaxTransitions = 16;

    /// <summary>Order within one slot: the larger (Hlc, sequence) is the newer record.</summary>
    public int CompareTo(SlotRecord? other)
    {
        if (other is null) return 1;
        var c = Hlc.CompareTo(other.Hlc);
        if (c != 0) return c;
        c = Sequence.CompareTo(other.Sequence);
        return c != 0 ? c : Dot.CompareTo(other.Dot);
    }

    public static SlotRecord Max(SlotRecord a, SlotRecord b) => a.CompareTo(b) >= 0 ? a : b;

    public int EstimatedBytes =>
        8 + OriginId.Length + Slot.EstimatedBytes + 8 + 12 + 8 + Dot.EstimatedBytes + HealthBytes(Health) +
        (Transitions.IsDefault ? 0 : Transitions.Sum(t => t.EstimatedBytes));

    private static int HealthBytes(HealthView h) =>
        48 + (h.LastError?.Length ?? 0) + (h.Owner?.Length ?? 0);

    // ImmutableArray compares by reference; records equal in content must be equal.
    public bool Equals(SlotRecord? other) =>
        other is not null && OriginId == other.OriginId && Slot == other.Slot && Generation == other.Generation &&
        Health == other.Health && Hlc == other.Hlc && Sequence == other.Sequence &&
        Dot == other.Dot && Same(Transitions, other.Transitions);

    private static bool Same(ImmutableArray<ReplicatedTransition> a, ImmutableArray<ReplicatedTransition> b) =>
        a.IsDefaultOrEmpty ? b.IsDefaultOrEmpty : !b.IsDefault && a.SequenceEqual(b);

    public override int GetHashCode() => HashCode.Combine(OriginId, Slot, Hlc, Sequence, Dot);
}
