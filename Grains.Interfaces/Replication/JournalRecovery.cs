namespace Heck.Replication;

/// <summary>
/// What a restarted replica does with the registry it finds in its journal. A journal written
/// within the retention (<see cref="GossipPlanner.Retention"/>) is loaded as is: every peer still
/// waits for this silo before pruning a tombstone, so nothing the journal holds was removed behind
/// its back. An older journal may hold origins that were deleted and whose tombstones are gone
/// everywhere, so it is held back (not served, not gossiped) until peers have answered: if any
/// has state, the cluster's registry replaces the journal's; if none has (the whole cluster was
/// down that long, or this silo is alone), the newest such journal is adopted.
/// </summary>
public static class JournalRecovery
{
    public enum Decision { Wait, Adopt, Discard }

    /// <summary>
    /// Whether a journal last stamped at <paramref name="lastActive"/> may predate what peers still
    /// wait for. Peers start the retention when they notice the silo gone, at or after its last
    /// stamp; the stamp is renewed every <paramref name="stampInterval"/>, so two intervals of
    /// margin keep this side earlier than theirs. A journal never stamped (an older build) is trusted.
    /// </summary>
    public static bool IsStale(DateTimeOffset? lastActive, DateTimeOffset now, TimeSpan retention, TimeSpan stampInterval) =>
        lastActive is { } at && now - at >= retention - 2 * stampInterval;

    /// <summary>What one live peer said: whether it has any state, and the stamp of the journal it holds back, if it does.</summary>
    public readonly record struct PeerAnswer(ReplicaId Peer, bool HasState, long? HeldBackStampMs);

    /// <summary>
    /// The decision once <paramref name="answers"/> came from some of <paramref name="livePeers"/>:
    /// discard when a peer has state (the cluster's registry is newer than this journal); adopt
    /// when every peer answered with nothing and none holds back a newer journal (the whole cluster
    /// was down longer than the retention: the silo that ran last saw the most, so its journal goes
    /// first and the others then take it over it); otherwise wait.
    /// </summary>
    public static Decision Decide(ReplicaId self, long myStampMs, int livePeers, IReadOnlyCollection<PeerAnswer> answers)
    {
        if (answers.Any(a => a.HasState)) return Decision.Discard;
        if (answers.Count < livePeers) return Decision.Wait;
        var newer = answers.Any(a => a.HeldBackStampMs is { } stamp &&
            (stamp > myStampMs || (stamp == myStampMs && a.Peer.CompareTo(self) > 0)));
        return newer ? Decision.Wait : Decision.Adopt;
    }
}
