using System.Collections.Immutable;

namespace Heck.Replication;

/// <summary>
/// Origin id → (prober slot → <see cref="SlotRecord"/>). Each slot has one writer, so merge
/// keeps the newer record per slot (larger Hlc, then sequence) and never conflicts; what
/// readers see is derived from the slots on read.
/// </summary>
[GenerateSerializer, Alias("heck.HealthMap"), Immutable]
public sealed class HealthMap : IEquatable<HealthMap>
{
    private static readonly ImmutableSortedDictionary<ReplicaId, SlotRecord> NoSlots =
        ImmutableSortedDictionary<ReplicaId, SlotRecord>.Empty;

    public static readonly HealthMap Empty =
        new(ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<ReplicaId, SlotRecord>>(StringComparer.Ordinal));

    [Id(0)] private readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<ReplicaId, SlotRecord>> _origins;
    [NonSerialized] private DotIndex<(string OriginId, ReplicaId Slot)>? _byDot; // derived, built on first use

    private HealthMap(
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<ReplicaId, SlotRecord>> origins,
        DotIndex<(string OriginId, ReplicaId Slot)>? byDot = null)
    {
        _origins = origins;
        _byDot = byDot;
    }

    /// <summary>Every slot record, by origin id then slot.</summary>
    public IEnumerable<SlotRecord> Records => _origins.Values.SelectMany(slots => slots.Values);

    public IEnumerable<string> OriginIds => _origins.Keys;

    public int Count => _origins.Values.Sum(slots => slots.Count);

    /// <summary>The slots that reported on <paramref name="originId"/>, by slot.</summary>
    public IReadOnlyDictionary<ReplicaId, SlotRecord> Slots(string originId) =>
        _origins.GetValueOrDefault(originId) ?? NoSlots;

    public SlotRecord? Get(string originId, ReplicaId slot) => Slots(originId).GetValueOrDefault(slot);

    /// <summary>Joins one record.</summary>
    public HealthMap Add(SlotRecord record)
    {
        var slots = _origins.GetValueOrDefault(record.OriginId) ?? NoSlots;
        if (slots.TryGetValue(record.Slot, out var current) && current.CompareTo(record) >= 0) return this;
        return new HealthMap(_origins.SetItem(record.OriginId, slots.SetItem(record.Slot, record)),
            _byDot?.Replace(current?.Dot, record.Dot, (record.OriginId, record.Slot)));
    }

    public HealthMap Merge(HealthMap other)
    {
        if (other.Count > Count) return other.Merge(this);
        var result = this;
        foreach (var record in other.Records) result = result.Add(record);
        return result;
    }

    /// <summary>The records whose dots <paramref name="seen"/> lacks.</summary>
    public IEnumerable<SlotRecord> NotIn(VersionVector seen) =>
        (_byDot ??= DotIndex<(string, ReplicaId)>.Build(Records.Select(r => (r.Dot, (r.OriginId, r.Slot))))).NotIn(seen)
            .Select(d => _origins[d.Key.OriginId][d.Key.Slot]);

    /// <summary>
    /// Drops the slots of dead silo generations once every live replica has seen their record
    /// and every earlier write of the slot (<paramref name="stableFrontier"/> holds the dots up
    /// to the record's): a dead generation never writes again, and its origins have new owners.
    /// A late copy of any of those records is then ignored everywhere.
    /// </summary>
    public HealthMap Prune(IReadOnlySet<ReplicaId> deadReplicas, VersionVector stableFrontier) =>
        RemoveWhere(r => deadReplicas.Contains(r.Slot) && stableFrontier.ContainsPrefix(r.Dot));

    /// <summary>Drops the records that match <paramref name="drop"/>.</summary>
    public HealthMap RemoveWhere(Func<SlotRecord, bool> drop)
    {
        var dropped = Records.Where(drop).ToList();
        if (dropped.Count == 0) return this;
        var origins = _origins.ToBuilder();
        foreach (var record in dropped)
        {
            var slots = origins[record.OriginId].Remove(record.Slot);
            if (slots.IsEmpty) origins.Remove(record.OriginId);
            else origins[record.OriginId] = slots;
        }
        return new HealthMap(origins.ToImmutable(), _byDot?.Remove(dropped.Select(r => r.Dot)));
    }

    public int EstimatedBytes => 8 + Records.Sum(r => r.EstimatedBytes);

    public bool Equals(HealthMap? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (_origins.Count == other._origins.Count && Count == other.Count && Records.SequenceEqual(other.Records)));

    public override bool Equals(object? obj) => Equals(obj as HealthMap);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var record in Records) hash.Add(record);
        return hash.ToHashCode();
    }
}
