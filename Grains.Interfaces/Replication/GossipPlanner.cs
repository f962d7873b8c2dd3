namespace Heck.Replication;

/// <summary>
/// Decides, for one replica, whom to gossip with and what may be pruned, from what peers have
/// reported (<see cref="PeerVersions"/>) and the two-round prune frontier (<see cref="PruneFrontier"/>).
/// Pure: the replica service asks it and does the sending. Not thread-safe: one replica uses it
/// from its own turns.
/// </summary>
public sealed class GossipPlanner(Random random)
{
    private PruneFrontier _frontier = PruneFrontier.Initial;

    /// <summary>What each peer is known to have seen: deltas are cut against it.</summary>
    public PeerVersions Peers { get; } = new();

    /// <summary>
    /// Up to <paramref name="count"/> of <paramref name="live"/> at random, none of
    /// <paramref name="except"/>. Peers that are no longer live are forgotten (they never come back:
    /// a restart is a new generation).
    /// </summary>
    public List<T> Pick<T>(IReadOnlyList<T> live, Func<T, ReplicaId> idOf, int count, IReadOnlySet<T>? except = null)
    {
        Peers.RetainOnly(live.Select(idOf).ToHashSet());
        var candidates = except is { Count: > 0 } ? live.Where(p => !except.Contains(p)).ToList() : live.ToList();
        // Partial Fisher-Yates: the first `count` of a random permutation.
        var n = Math.Min(count, candidates.Count);
        for (var i = 0; i < n; i++)
        {
            var j = random.Next(i, candidates.Count);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        return candidates.Take(n).ToList();
    }

    /// <summary>
    /// Advances the prune frontier with the vectors of this replica and its live peers, and says
    /// which dead generations' slots may go. Null when nothing may be pruned: a live peer has not
    /// reported yet (the frontier would be unsafe), or nobody is dead. A dead generation's slot
    /// stays while it is some live origin's only health, so readers keep the last known state
    /// until the new owner's first observation arrives.
    /// </summary>
    public PrunePlan? PlanPrune(ReplicaId self, ReplicaState state, IEnumerable<ReplicaId> livePeers, IEnumerable<ReplicaId> dead)
    {
        var vectors = new Dictionary<ReplicaId, VersionVector> { [self] = state.Version };
        foreach (var peer in livePeers)
        {
            if (!Peers.TryGet(peer, out var vector)) return null;
            vectors[peer] = vector;
        }
        _frontier = _frontier.Next(vectors);
        var prunable = dead.ToHashSet();
        if (prunable.Count == 0) return null;
        foreach (var entry in state.Registry.Live)
        {
            var slots = state.Health.Slots(entry.Id);
            if (slots.Count > 0 && slots.Keys.All(prunable.Contains)) prunable.ExceptWith(slots.Keys);
        }
        return new PrunePlan(prunable, _frontier.Stable);
    }
}

/// <summary>Slots of <see cref="Dead"/> generations to drop, with the frontier that makes it safe.</summary>
public sealed record PrunePlan(IReadOnlySet<ReplicaId> Dead, VersionVector Frontier);
