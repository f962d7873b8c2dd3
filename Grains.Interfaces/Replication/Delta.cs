using System.Collections.Immutable;

namespace Heck.Replication;

/// <summary>
/// A piece of replicated state to ship to other replicas: registry entries and slot records,
/// plus the causal context they bring. <see cref="Context"/> is the set of dots the receiver
/// may count as seen after applying the delta, but only when the receiver has already seen
/// <see cref="Since"/> (the vector the delta was cut against); otherwise it counts just the
/// dots of the records. So a delta cut for one peer is still safe to apply anywhere.
/// </summary>
[GenerateSerializer, Alias("heck.Delta"), Immutable]
public sealed record Delta(
    [property: Id(0)] ImmutableArray<RegistryEntry> Specs,
    [property: Id(1)] ImmutableArray<SlotRecord> Slots,
    [property: Id(2)] VersionVector Context,
    [property: Id(3)] VersionVector Since)
{
    public static readonly Delta Empty = new([], [], VersionVector.Empty, VersionVector.Empty);

    /// <summary>The sender's <see cref="ReplicaState.Horizon"/>: the latest timestamp it has seen.</summary>
    [Id(4)] public Hlc Horizon { get; init; }

    public bool IsEmpty => RecordCount == 0 && Context.IsEmpty;

    public int RecordCount => Specs.Length + Slots.Length;

    /// <summary>An estimate of the wire size, for bandwidth comparisons (delta against full state).</summary>
    public int EstimatedBytes =>
        28 + Specs.Sum(e => e.EstimatedBytes) + Slots.Sum(r => r.EstimatedBytes) + Context.EstimatedBytes + Since.EstimatedBytes;

    /// <summary>
    /// One delta that has the effect of both, e.g. to buffer local writes between gossip rounds.
    /// Later records of the same id or slot replace earlier ones.
    /// </summary>
    public Delta Join(Delta other)
    {
        if (other.IsEmpty) return this;
        if (IsEmpty) return other;
        var specs = Specs.Concat(other.Specs)
            .GroupBy(e => e.Id, StringComparer.Ordinal)
            .Select(g => g.Aggregate(RegistryEntry.Max))
            .OrderBy(e => e.Id, StringComparer.Ordinal);
        var slots = Slots.Concat(other.Slots)
            .GroupBy(r => (r.OriginId, r.Slot))
            .Select(g => g.Aggregate(SlotRecord.Max))
            .OrderBy(r => r.OriginId, StringComparer.Ordinal).ThenBy(r => r.Slot);
        return new Delta([.. specs], [.. slots], Context.Merge(other.Context), Since.Merge(other.Since))
        {
            Horizon = Hlc.Max(Horizon, other.Horizon),
        };
    }

    // ImmutableArray compares by reference; deltas equal in content must be equal.
    public bool Equals(Delta? other) =>
        other is not null && Specs.SequenceEqual(other.Specs) && Slots.SequenceEqual(other.Slots) &&
        Context.Equals(other.Context) && Since.Equals(other.Since) && Horizon == other.Horizon;

    public override int GetHashCode() => HashCode.Combine(Specs.Length, Slots.Length, Context, Since);
}
