namespace Heck.Replication;

/// <summary>
/// What each peer replica is known to have seen, so that gossip sends a peer only what it lacks.
/// A peer's vector is learned from its answers and also from what it states itself (the vector
/// on its pushes and pulls): without the latter, records went back to whoever had just sent them.
/// A peer also has every dot it issued, so its own writes are never sent back to it, even when
/// they reached this replica through a third one. Not thread-safe: one replica service uses it from
/// its own turns.
/// </summary>
public sealed class PeerVersions
{
    private readonly Dictionary<ReplicaId, VersionVector> _seen = [];

    /// <summary>Every peer heard from, with what it has seen.</summary>
    public IReadOnlyDictionary<ReplicaId, VersionVector> Known => _seen;

    /// <summary>Whether <paramref name="peer"/> has told us what it has seen.</summary>
    public bool TryGet(ReplicaId peer, out VersionVector seen) => _seen.TryGetValue(peer, out seen!);

    /// <summary>
    /// Records that <paramref name="peer"/> has seen <paramref name="seen"/>. Merged, not replaced:
    /// a peer's answers can arrive out of order, and what it has seen never shrinks.
    /// </summary>
    public void Heard(ReplicaId peer, VersionVector seen) =>
        _seen[peer] = _seen.TryGetValue(peer, out var known) ? known.Merge(seen) : seen;

    /// <summary>
    /// The vector to cut a delta for <paramref name="peer"/> against: what it is known to have
    /// seen plus its own dots among <paramref name="mine"/>. A peer never heard from gets
    /// everything else (a joiner's full state).
    /// </summary>
    public VersionVector CutFor(ReplicaId peer, VersionVector mine)
    {
        var own = mine.Only(peer);
        return _seen.TryGetValue(peer, out var known) ? known.Merge(own) : own;
    }

    /// <summary>Forgets peers not in <paramref name="live"/> (dead or left: they never come back).</summary>
    public void RetainOnly(IReadOnlySet<ReplicaId> live)
    {
        foreach (var gone in _seen.Keys.Where(k => !live.Contains(k)).ToList()) _seen.Remove(gone);
    }
}
