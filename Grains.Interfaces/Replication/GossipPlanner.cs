namespace Heck.Replication;

/// <summary>
/// Decides, for one replica, whom to gossip with and what may be pruned, from what peers have
/// reported (<see cref="PeerVersions"/>) and the two-round prune frontier (<see cref="PruneFrontier"/>).
/// Pure: the replica service asks it and does the sending. Not thread-safe: one replica uses it
/// from its own turns.
/// <para>
/// A peer that leaves the live set is <em>departed</em>, not gone: its silo can restart on its
/// journal, and whatever that journal holds comes back with it. So a departed replica still takes
/// part in the prune frontier with the last vector it reported (a tombstone it has not seen is
/// never pruned) until a newer generation at its address has reported (that one loaded the
/// journal) or until <see cref="Retention"/> has passed; then it is forgotten, with its
/// bookkeeping. A journal older than the retention is not trusted (see <see cref="JournalRecovery"/>).
/// </para>
/// </summary>
public sealed class GossipPlanner
{
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly Dictionary<ReplicaId, DateTimeOffset> _departedSince = [];
    private PruneFrontier _frontier = PruneFrontier.Initial;          // live replicas: for health
    private PruneFrontier _tombstoneFrontier = PruneFrontier.Initial; // live and departed: for tombstones

    public GossipPlanner(Random random) : this(random, TimeProvider.System, TimeSpan.FromDays(1)) { }

    public GossipPlanner(Random random, TimeProvider time, TimeSpan retention)
    {
        _random = random;
        _time = time;
        Retention = retention;
    }

    /// <summary>How long a departed replica is waited for before it is forgotten.</summary>
    public TimeSpan Retention { get; }

    /// <summary>What each peer is known to have seen: deltas are cut against it.</summary>
    public PeerVersions Peers { get; } = new();

    /// <summary>Replicas that left the live set and may still come back on their journal, with when they left.</summary>
    public IReadOnlyDictionary<ReplicaId, DateTimeOffset> Departed => _departedSince;

    /// <summary>
    /// Replicas this silo's previous run was gossiping with (from its journal): any of them may
    /// restart on a journal too, so each is waited for as departed, from now, with no vector yet,
    /// which holds every tombstone until it is back or forgotten.
    /// </summary>
    public void Expect(IEnumerable<ReplicaId> formerPeers)
    {
        var now = _time.GetUtcNow();
        foreach (var r in formerPeers) _departedSince.TryAdd(r, now);
    }

    /// <summary>
    /// Up to <paramref name="count"/> of <paramref name="live"/> at random, none of
    /// <paramref name="except"/>.
    /// </summary>
    public List<T> Pick<T>(IReadOnlyList<T> live, Func<T, ReplicaId> idOf, int count, IReadOnlySet<T>? except = null)
    {
        var candidates = except is { Count: > 0 } ? live.Where(p => !except.Contains(p)).ToList() : live.ToList();
        // Partial Fisher-Yates: the first `count` of a random permutation.
        var n = Math.Min(count, candidates.Count);
        for (var i = 0; i < n; i++)
        {
            var j = _random.Next(i, candidates.Count);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        return candidates.Take(n).ToList();
    }

    /// <summary>
    /// Brings the departed set up to date with the live set: peers heard from that are not live
    /// have departed; a departed replica is forgotten once a newer generation at its address is
    /// live (or is <paramref name="self"/>) or once the retention has passed, and so is what
    /// <see cref="Peers"/> knew of it. (Silos that died before this replica heard from them are not
    /// waited for: membership tables keep dead generations of long ago, and waiting for each of
    /// those would stop pruning for a whole retention after every start.)
    /// </summary>
    public void Track(ReplicaId self, IEnumerable<ReplicaId> livePeers)
    {
        var now = _time.GetUtcNow();
        var live = livePeers.Append(self).ToHashSet();
        foreach (var r in Peers.Known.Keys.Where(r => !live.Contains(r))) _departedSince.TryAdd(r, now);
        foreach (var (r, since) in _departedSince.ToList())
        {
            if (live.Contains(r)) _departedSince.Remove(r); // live again (it was still joining, or came back)
            else if (now - since >= Retention || live.Any(l => l.Address == r.Address && l.Generation > r.Generation))
                _departedSince.Remove(r);
        }
        Peers.RetainOnly(live.Concat(_departedSince.Keys).ToHashSet());
    }

    /// <summary>
    /// Advances the prune frontiers and says what may go. Null when nothing may be pruned: a live
    /// peer has not reported (the frontier would be unsafe). Health goes with the frontier of the
    /// live replicas (it is not journalled: a restart brings none back); tombstones go with the
    /// frontier that also holds the last vectors of the departed replicas still waited for, and
    /// none goes while one of those has never reported. A dead generation's slot stays while it is
    /// some live origin's only health, so readers keep the last known state until the new owner's
    /// first observation arrives.
    /// </summary>
    public PrunePlan? PlanPrune(ReplicaId self, ReplicaState state, IEnumerable<ReplicaId> livePeers, IEnumerable<ReplicaId> dead)
    {
        var peers = livePeers.ToList();
        Track(self, peers);
        var vectors = new Dictionary<ReplicaId, VersionVector> { [self] = state.Version };
        foreach (var peer in peers)
        {
            if (!Peers.TryGet(peer, out var vector)) return null;
            vectors[peer] = vector;
        }
        _frontier = _frontier.Next(vectors);

        var participants = new Dictionary<ReplicaId, VersionVector>(vectors);
        var unknown = false;
        foreach (var departed in _departedSince.Keys)
        {
            if (Peers.TryGet(departed, out var vector)) participants[departed] = vector;
            else unknown = true;
        }
        _tombstoneFrontier = unknown ? PruneFrontier.Initial : _tombstoneFrontier.Next(participants);

        var prunable = dead.Concat(_departedSince.Keys).ToHashSet();
        prunable.ExceptWith(peers);
        prunable.Remove(self);
        foreach (var entry in state.Registry.Live)
        {
            var slots = state.Health.Slots(entry.Id);
            if (slots.Count > 0 && slots.Keys.All(prunable.Contains)) prunable.ExceptWith(slots.Keys);
        }
        // Vector entries of replicas neither live nor waited for; the state keeps those its records still need.
        var forget = state.Version.Replicas.Where(r => !participants.ContainsKey(r) && !_departedSince.ContainsKey(r)).ToHashSet();
        // A tombstone also lives out the retention (a grace period, like Cassandra's gc_grace_seconds): a
        // replica this one never heard of (it crashed before its first gossip, or before this one
        // restarted) can come back within the retention on a journal that still holds the entry, and
        // only a tombstone still here removes it; a journal older than the retention is held back.
        var cutoff = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)Retention.TotalMilliseconds;
        return new PrunePlan(prunable, _frontier.Stable) { Tombstones = _tombstoneFrontier.Stable, Forget = forget, TombstonesWrittenBeforeMs = cutoff };
    }
}

/// <summary>Slots of <see cref="Dead"/> generations to drop, with the frontier that makes it safe.</summary>
public sealed record PrunePlan(IReadOnlySet<ReplicaId> Dead, VersionVector Frontier)
{
    /// <summary>The frontier for tombstones, which also waits for departed replicas (see <see cref="GossipPlanner"/>).</summary>
    public VersionVector Tombstones { get; init; } = VersionVector.Empty;

    /// <summary>Replicas whose version-vector entries may go once no record of theirs is held.</summary>
    public IReadOnlySet<ReplicaId> Forget { get; init; } = new HashSet<ReplicaId>();

    /// <summary>Only tombstones written (by their clock's wall time) before this may go: they outlive the retention.</summary>
    public long TombstonesWrittenBeforeMs { get; init; } = long.MaxValue;
}
