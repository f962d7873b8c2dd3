namespace Heck.Membership.Swim;

/// <summary>
/// Protocol tuning. Defaults are hashicorp/memberlist's LAN profile (DefaultLANConfig), so detection
/// times can be compared with Serf/Consul.
/// </summary>
public sealed record SwimSettings
{
    /// <summary>Time between probes of successive members (memberlist ProbeInterval, 1 s). Scaled by local health.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait for a direct ack before asking others (ProbeTimeout, 500 ms; about a 99th-percentile RTT). Scaled by local health.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Members asked to ping-req a target that missed its direct ack (IndirectChecks, 3).</summary>
    public int IndirectChecks { get; init; } = 3;

    /// <summary>Suspicion timeout floor = SuspicionMult · max(1, log10 n) · ProbeInterval (SuspicionMult, 4).</summary>
    public int SuspicionMult { get; init; } = 4;

    /// <summary>Suspicion timeout ceiling = this · the floor, used while no one confirms (SuspicionMaxTimeoutMult, 6).</summary>
    public int SuspicionMaxTimeoutMult { get; init; } = 6;

    /// <summary>Each update is sent RetransmitMult · ceil(log10(n + 1)) times (RetransmitMult, 4).</summary>
    public int RetransmitMult { get; init; } = 4;

    /// <summary>Full-state exchange with one random member this often (PushPullInterval, 30 s). Zero disables it (not the join).</summary>
    public TimeSpan PushPullInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Lifeguard local-health ceiling: timeouts stretch up to this factor (AwarenessMaxMultiplier, 8).</summary>
    public int AwarenessMaxMultiplier { get; init; } = 8;

    /// <summary>Pending updates are also sent on their own this often (GossipInterval, 200 ms).</summary>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Random members each gossip round goes to (GossipNodes, 3). Zero means piggybacking only.</summary>
    public int GossipNodes { get; init; } = 3;

    /// <summary>
    /// A member counts toward this node's reach (its side's strength in a death verdict contest) while it is
    /// Alive and sent us something itself within this window. Null (default): max(10, 2·n) probe intervals, long
    /// enough to have probed every member at least once (the shuffled round robin does so within 2(n−1)−1
    /// periods) and to have been probed by each, with room for a lost packet or two; short enough that a
    /// partition shows in the reach before its suspicions can time out.
    /// </summary>
    public TimeSpan? ReachWindow { get; init; }

    /// <summary>
    /// Heal: this often, a member we hold dead (died within <see cref="DeadRetention"/>, no newer generation on its
    /// endpoint) is sent our verdict, and every fifth time a seed with no live member is sent our state (2 s;
    /// Serf's reconnect, made cheap). After a partition one side loses the reach contest, rejoins as new
    /// generations, and one cluster forms again without an operator. Zero turns it off.
    /// </summary>
    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a Dead or Left member stays in the view after it became final (5 min): long enough for the verdict
    /// to reach everyone through gossip and several push-pull rounds and for the heal to reach the other side of
    /// a partition of a few minutes; after it, the member is dropped and no longer shipped (a longer partition
    /// heals through the seeds). A per-endpoint generation floor outlives it (<c>4 ×</c>) so that a late rumour of
    /// an expired generation cannot bring it back.
    /// </summary>
    public TimeSpan DeadRetention { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest UDP datagram (1400: under a 1500 MTU with IP/UDP headers); bigger messages go over TCP.</summary>
    public int MaxDatagramBytes { get; init; } = 1400;

    /// <summary>Join attempts to the seeds repeat this often until one answers (1 s).</summary>
    public TimeSpan JoinRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Ping-reqs this node relays at once for others; more are ignored (bounds memory under a flood; 1024).</summary>
    public int MaxPendingRelays { get; init; } = 1024;

    /// <summary>Errors, each naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ProbeInterval <= TimeSpan.Zero) errors.Add($"{nameof(ProbeInterval)} must be positive.");
        if (ProbeTimeout <= TimeSpan.Zero) errors.Add($"{nameof(ProbeTimeout)} must be positive.");
        else if (ProbeTimeout >= ProbeInterval) errors.Add($"{nameof(ProbeTimeout)} ({ProbeTimeout.TotalMilliseconds} ms) must be shorter than {nameof(ProbeInterval)} ({ProbeInterval.TotalMilliseconds} ms), leaving time for indirect probes.");
        if (IndirectChecks is < 0 or > 16) errors.Add($"{nameof(IndirectChecks)} must be 0..16.");
        if (SuspicionMult is < 1 or > 100) errors.Add($"{nameof(SuspicionMult)} must be 1..100.");
        if (SuspicionMaxTimeoutMult is < 1 or > 100) errors.Add($"{nameof(SuspicionMaxTimeoutMult)} must be 1..100.");
        if (RetransmitMult is < 1 or > 100) errors.Add($"{nameof(RetransmitMult)} must be 1..100.");
        if (PushPullInterval < TimeSpan.Zero) errors.Add($"{nameof(PushPullInterval)} must not be negative.");
        if (AwarenessMaxMultiplier is < 1 or > 64) errors.Add($"{nameof(AwarenessMaxMultiplier)} must be 1..64.");
        if (GossipInterval <= TimeSpan.Zero) errors.Add($"{nameof(GossipInterval)} must be positive.");
        if (GossipNodes is < 0 or > 64) errors.Add($"{nameof(GossipNodes)} must be 0..64.");
        if (ReconnectInterval < TimeSpan.Zero) errors.Add($"{nameof(ReconnectInterval)} must not be negative.");
        if (DeadRetention <= TimeSpan.Zero) errors.Add($"{nameof(DeadRetention)} must be positive.");
        if (ReachWindow is { } reach && reach <= TimeSpan.Zero) errors.Add($"{nameof(ReachWindow)} must be positive when set.");
        if (MaxDatagramBytes is < 576 or > 65507) errors.Add($"{nameof(MaxDatagramBytes)} must be 576..65507.");
        if (JoinRetryInterval <= TimeSpan.Zero) errors.Add($"{nameof(JoinRetryInterval)} must be positive.");
        if (MaxPendingRelays is < 1 or > 1_000_000) errors.Add($"{nameof(MaxPendingRelays)} must be 1..1000000.");
        return errors;
    }

    /// <summary>Suspicion timeout floor for <paramref name="members"/> members (memberlist's suspicionTimeout).</summary>
    public TimeSpan SuspicionMinTimeout(int members) =>
        ProbeInterval * (SuspicionMult * Math.Max(1.0, Math.Log10(Math.Max(1, members))));

    public TimeSpan SuspicionMaxTimeout(int members) => SuspicionMinTimeout(members) * SuspicionMaxTimeoutMult;

    /// <summary>The reach window for <paramref name="members"/> members (see <see cref="ReachWindow"/>).</summary>
    public TimeSpan ReachWindowFor(int members) => ReachWindow ?? ProbeInterval * Math.Max(10, 2 * members);

    /// <summary>Transmissions of each update (memberlist's retransmitLimit).</summary>
    public int RetransmitLimit(int members) => RetransmitMult * (int)Math.Ceiling(Math.Log10(members + 1));
}
