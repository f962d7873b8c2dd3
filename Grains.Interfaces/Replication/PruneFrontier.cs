using System.Collections.Immutable;

namespace Heck.Replication;

/// <summary>
/// Computes a frontier that is safe to prune with (<see cref="ReplicaState.Prune"/>) from
/// successive rounds of the vectors that the live replicas reported (include this replica's own).
/// <para>
/// Why two rounds: when one round's intersection F holds a tombstone, every live replica had
/// seen it when it reported, so any write that raced with it was made before that report and
/// carries a counter at most the reporter's own counter then (the seal S). Once a later
/// intersection includes S, every live replica has those racing writes too, and F is stable.
/// A change of the live set starts over.
/// </para>
/// </summary>
public sealed record PruneFrontier
{
    public static readonly PruneFrontier Initial =
        new(VersionVector.Empty, VersionVector.Empty, VersionVector.Empty, ImmutableSortedSet<ReplicaId>.Empty);

    private PruneFrontier(VersionVector stable, VersionVector candidate, VersionVector seal, ImmutableSortedSet<ReplicaId> members)
    {
        Stable = stable;
        Candidate = candidate;
        Seal = seal;
        Members = members;
    }

    /// <summary>The frontier to prune with.</summary>
    public VersionVector Stable { get; }

    /// <summary>The intersection that becomes stable once every live replica has seen <see cref="Seal"/>.</summary>
    public VersionVector Candidate { get; }

    /// <summary>The reporters' own counters in the round that produced <see cref="Candidate"/>.</summary>
    public VersionVector Seal { get; }

    public ImmutableSortedSet<ReplicaId> Members { get; }

    /// <summary>The next step, given the latest vector each live replica reported.</summary>
    public PruneFrontier Next(IReadOnlyDictionary<ReplicaId, VersionVector> liveVectors)
    {
        var meet = VersionVector.Meet(liveVectors.Values);
        var seal = VersionVector.FromCounters(liveVectors.Select(v => KeyValuePair.Create(v.Key, v.Value[v.Key])));
        var members = liveVectors.Keys.ToImmutableSortedSet();
        if (!members.SetEquals(Members)) return new PruneFrontier(Stable, meet, seal, members);
        if (!meet.Includes(Seal)) return this;
        return new PruneFrontier(Candidate, meet, seal, members);
    }
}
