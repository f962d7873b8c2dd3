using System.Collections.Immutable;
using Heck.Health;
using Heck.Origins;

namespace Heck.Replication;

/// <summary>
/// One replica's copy of the replicated state: the origin registry, the health map, and the
/// version vector of every dot it has seen. Immutable; every change returns a new state.
/// <para>
/// Invariant that makes deltas exact: a dot in <see cref="Version"/> is a record this state holds,
/// or one that a record it holds replaces (same id or slot, larger in the merge order), or one
/// pruned once every live replica had it. Hence a peer needs exactly the records whose dots
/// its vector lacks, and a record whose dot is already in the vector can be ignored.
/// </para>
/// </summary>
[GenerateSerializer, Alias("heck.ReplicaState"), Immutable]
public sealed record ReplicaState(
    [property: Id(0)] Registry Registry,
    [property: Id(1)] HealthMap Health,
    [property: Id(2)] VersionVector Version)
{
    public static readonly ReplicaState Empty = new(Registry.Empty, HealthMap.Empty, VersionVector.Empty);

    /// <summary>
    /// The latest timestamp of any write this replica has seen, pruned ones included. Local writes
    /// are stamped after it, so a write always sorts after what its replica had seen, even once
    /// that is gone (an origin added again after its tombstone was pruned gets a higher generation).
    /// </summary>
    [Id(3)] public Hlc Horizon { get; init; }

    public int RecordCount => Registry.Count + Health.Count;

    /// <summary>An estimate of the full state's wire size, for bandwidth comparisons.</summary>
    public int EstimatedBytes => Registry.EstimatedBytes + Health.EstimatedBytes + Version.EstimatedBytes;

    // ---- merging ----------------------------------------------------------------------

    /// <summary>
    /// The join of two states: associative, commutative, idempotent. Silos exchange deltas, never
    /// whole states; this is the reference the property tests hold <see cref="Apply"/> to.
    /// </summary>
    public ReplicaState Merge(ReplicaState other) =>
        new(Registry.Merge(other.Registry), Health.Merge(other.Health), Version.Merge(other.Version))
        {
            Horizon = Hlc.Max(Horizon, other.Horizon),
        };

    /// <summary>
    /// Exactly the records whose dots <paramref name="peer"/> lacks, with this replica's vector as
    /// context; <see cref="Delta.Empty"/> when the peer has seen everything. <c>DeltaSince(VersionVector.Empty)</c>
    /// is the full state, for a joining replica.
    /// </summary>
    public Delta DeltaSince(VersionVector peer) =>
        peer.Includes(Version)
            ? Delta.Empty
            : new Delta([.. Registry.NotIn(peer)], [.. Health.NotIn(peer)], Version, peer) { Horizon = Horizon };

    /// <summary>
    /// Joins a delta. On a replica that has seen the delta's <see cref="Delta.Since"/>,
    /// <c>Apply(other.DeltaSince(Version))</c> equals <c>Merge(other)</c>. Records whose dots are
    /// already seen are skipped, so a late duplicate of a pruned record cannot come back.
    /// </summary>
    public ReplicaState Apply(Delta delta)
    {
        if (delta.IsEmpty) return this;
        var registry = Registry;
        var health = Health;
        var version = Version;
        var causal = Version.Includes(delta.Since);
        // Like the context, the sender's horizon only counts where the delta applies causally.
        var horizon = causal ? Hlc.Max(Horizon, delta.Horizon) : Horizon;
        foreach (var entry in delta.Specs)
        {
            horizon = Hlc.Max(horizon, entry.Hlc);
            if (Version.Contains(entry.Dot)) continue;
            registry = registry.Add(entry);
            if (!causal) version = version.Add(entry.Dot);
        }
        foreach (var record in delta.Slots)
        {
            horizon = Hlc.Max(horizon, record.Hlc);
            if (Version.Contains(record.Dot)) continue;
            health = health.Add(record);
            if (!causal) version = version.Add(record.Dot);
        }
        if (causal) version = version.Merge(delta.Context);
        return new ReplicaState(registry, health, version) { Horizon = horizon };
    }

    // ---- local writes -------------------------------------------------------------------

    /// <summary>
    /// Adds or edits an origin's spec as replica <paramref name="self"/>. An edit keeps the
    /// generation; adding a removed or unknown origin starts a new, higher one (see
    /// <see cref="RegistryEntry.GenerationAt"/>). An unchanged spec writes nothing (the delta is empty).
    /// </summary>
    public (ReplicaState State, Delta Delta) UpsertSpec(OriginSpec spec, ReplicaId self, HlcClock clock)
    {
        var current = Registry.Get(spec.Id);
        if (current is { Spec: { } existing } && existing.Equals(spec)) return (this, Delta.Empty);
        var hlc = Stamp(clock);
        var generation = current is { IsTombstone: false }
            ? current.Generation
            : Math.Max((current?.Generation ?? 0) + 1, RegistryEntry.GenerationAt(hlc));
        return WriteSpec(new RegistryEntry(spec.Id, generation, spec, hlc, Version.Next(self)), current);
    }

    /// <summary>Removes an origin (the generation this replica has seen); nothing when it is not live here.</summary>
    public (ReplicaState State, Delta Delta) RemoveSpec(string id, ReplicaId self, HlcClock clock)
    {
        var current = Registry.Get(id);
        if (current is null || current.IsTombstone) return (this, Delta.Empty);
        return WriteSpec(new RegistryEntry(id, current.Generation, null, Stamp(clock), Version.Next(self)), current);
    }

    /// <summary>
    /// Records what slot <paramref name="self"/> (an owner: confirmers only vote, they write nothing
    /// here) observed of a live origin, with the transition it caused. The timestamp is later than everything this
    /// replica has seen (<see cref="Horizon"/>), so transitions stay causally ordered across an
    /// ownership handoff. Writes nothing when the origin is not live in this replica's registry.
    /// </summary>
    public (ReplicaState State, Delta Delta) RecordHealth(
        string originId, HealthView health, HealthTransition? transition, ReplicaId self, HlcClock clock)
    {
        if (Registry.Get(originId) is not { IsTombstone: false } entry) return (this, Delta.Empty);
        var slots = Health.Slots(originId);
        var previous = slots.GetValueOrDefault(self);
        var hlc = clock.Observe(Horizon);
        var dot = Version.Next(self);

        // A new generation is a new origin: its history starts empty.
        var transitions = previous is not null && previous.Generation == entry.Generation && !previous.Transitions.IsDefault
            ? previous.Transitions
            : [];
        if (transition is not null)
        {
            transitions = transitions.Add(new ReplicatedTransition(transition, hlc, dot));
            if (transitions.Length > SlotRecord.MaxTransitions)
                transitions = transitions.RemoveRange(0, transitions.Length - SlotRecord.MaxTransitions);
        }

        var record = new SlotRecord(originId, self, entry.Generation, health, transitions, hlc,
            (previous?.Sequence ?? 0) + 1, dot);
        var state = new ReplicaState(Registry, Health.Add(record), Version.Add(dot)) { Horizon = hlc };
        return (state, new Delta([], [record], Context(dot, previous?.Dot), VersionVector.Empty) { Horizon = hlc });
    }

    private (ReplicaState, Delta) WriteSpec(RegistryEntry entry, RegistryEntry? replaced)
    {
        var state = new ReplicaState(Registry.Add(entry), Health, Version.Add(entry.Dot)) { Horizon = entry.Hlc };
        return (state, new Delta([entry], [], Context(entry.Dot, replaced?.Dot), VersionVector.Empty) { Horizon = entry.Hlc });
    }

    // A write happens after everything seen here, even if it came from a silo whose clock is ahead.
    private Hlc Stamp(HlcClock clock) => clock.Observe(Horizon);

    // The new dot, and the dot of the record it replaces: receivers may count both as seen.
    private static VersionVector Context(Dot dot, Dot? replaced) =>
        replaced is { } r ? VersionVector.Empty.Add(dot).Add(r) : VersionVector.Empty.Add(dot);

    // ---- pruning ------------------------------------------------------------------------

    /// <summary>
    /// Drops what no live replica needs any more: slots of <paramref name="deadReplicas"/>, health
    /// of removed or superseded generations, and then tombstones. Only records whose dots (and
    /// their writer's earlier dots) are in <paramref name="stableFrontier"/> are dropped, so a
    /// late copy of one is ignored everywhere (<see cref="Apply"/>). Live specs and live slots of
    /// the current generation are never dropped.
    /// <para>
    /// <paramref name="stableFrontier"/> must hold only dots that every live replica has seen,
    /// together with every write that raced with them; <see cref="PruneFrontier.Stable"/> is such
    /// a frontier. (The bare intersection of the live vectors is not enough for tombstones: an
    /// edit made concurrently with a remove, still in flight to some replica, would come back
    /// there after the tombstone is gone.) The caller must also drop deltas sent by replicas it
    /// knows to be dead.
    /// </para>
    /// </summary>
    public ReplicaState Prune(IReadOnlySet<ReplicaId> deadReplicas, VersionVector stableFrontier) =>
        Prune(deadReplicas, stableFrontier, stableFrontier);

    /// <summary>
    /// <see cref="Prune(IReadOnlySet{ReplicaId}, VersionVector)"/> with a frontier of its own for
    /// tombstones: one that also holds what departed replicas, which may restart on their journals,
    /// last reported (see <see cref="GossipPlanner"/>). Health is never journalled, so its frontier
    /// need only cover the live replicas. Tombstones written (by their clock's wall time) at or after
    /// <paramref name="tombstonesWrittenBeforeMs"/> stay whatever the frontier says.
    /// </summary>
    public ReplicaState Prune(IReadOnlySet<ReplicaId> deadReplicas, VersionVector stableFrontier, VersionVector tombstoneFrontier,
        long tombstonesWrittenBeforeMs = long.MaxValue)
    {
        var health = Health.Prune(deadReplicas, stableFrontier)
            .RemoveWhere(r => stableFrontier.ContainsPrefix(r.Dot) && Superseded(r));
        // A tombstone stays while health of the generation it removed is still around here.
        var registry = Registry.Prune(tombstoneFrontier,
            keep: t => t.Hlc.WallMs >= tombstonesWrittenBeforeMs || health.Slots(t.Id).Values.Any(r => r.Generation <= t.Generation));
        return registry == Registry && health == Health ? this : this with { Registry = registry, Health = health };
    }

    /// <summary>
    /// Drops the version-vector entries of <paramref name="replicas"/> (gone for good: neither live
    /// nor waited for) of which this state holds no record, so the vector does not grow with every
    /// silo generation that ever ran. A record still held keeps its writer's entry, so the
    /// invariant above holds; a late copy of a record pruned earlier could be taken again, and is
    /// pruned again like the first.
    /// </summary>
    public ReplicaState Forget(IReadOnlySet<ReplicaId> replicas)
    {
        if (replicas.Count == 0) return this;
        var gone = replicas.ToHashSet();
        foreach (var e in Registry.Entries) gone.Remove(e.Dot.Replica);
        foreach (var r in Health.Records) gone.Remove(r.Dot.Replica);
        var version = Version.Without(gone);
        return ReferenceEquals(version, Version) ? this : this with { Version = version };
    }

    private bool Superseded(SlotRecord record) =>
        Registry.Get(record.OriginId) is { } e &&
        (e.Generation > record.Generation || (e.IsTombstone && e.Generation >= record.Generation));

    // ---- reads --------------------------------------------------------------------------

    /// <summary>The live spec of an origin, or null when unknown or removed.</summary>
    public OriginSpec? Spec(string originId) => Registry.Spec(originId);

    /// <summary>
    /// The health to show for an origin: the freshest observation of its current generation;
    /// null when the origin is not live or no slot has reported yet.
    /// The record says who observed it (<see cref="SlotRecord.Slot"/>) and when (<see cref="SlotRecord.Hlc"/>).
    /// </summary>
    public SlotRecord? DerivedHealth(string originId)
    {
        SlotRecord? freshest = null;
        foreach (var record in CurrentSlots(originId))
            if (freshest is null || record.CompareTo(freshest) > 0) freshest = record;
        return freshest;
    }

    /// <summary>
    /// The freshest verdict (a status other than unknown) that an owner other than
    /// <paramref name="self"/> recorded for the origin's current generation; null when none did.
    /// A new owner that has no verdict of its own yet continues from it.
    /// </summary>
    public SlotRecord? VerdictOfOtherOwners(string originId, ReplicaId self)
    {
        SlotRecord? freshest = null;
        foreach (var record in CurrentSlots(originId))
        {
            if (record.Slot == self || record.Health.Status == HealthStatus.Unknown) continue;
            if (freshest is null || record.CompareTo(freshest) > 0) freshest = record;
        }
        return freshest;
    }

    /// <summary>The slots' recent transitions of an origin's current generation, in causal order.</summary>
    public IReadOnlyList<ReplicatedTransition> Transitions(string originId) =>
        CurrentSlots(originId)
            .SelectMany(r => r.Transitions.IsDefault ? [] : r.Transitions)
            .Order()
            .ToList();

    private IEnumerable<SlotRecord> CurrentSlots(string originId) =>
        Registry.Get(originId) is { IsTombstone: false } entry
            ? Health.Slots(originId).Values.Where(r => r.Generation == entry.Generation)
            : [];
}
