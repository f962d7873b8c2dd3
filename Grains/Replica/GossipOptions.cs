namespace Heck.Grains.Replica;

public enum GossipMode { Push, Pull, PushPull }

/// <summary><c>Heck:Gossip</c>: how replicas spread state. Defaults suit a LAN cluster of a few to tens of silos.</summary>
public sealed class GossipOptions
{
    public const string SectionName = "Heck:Gossip";

    /// <summary>Every interval, new deltas go to <see cref="Fanout"/> random live peers (push) or are asked of them (pull).</summary>
    public int IntervalMs { get; set; } = 200;
    public int Fanout { get; set; } = 3;
    /// <summary>Every interval, a version-vector exchange with one random peer heals what gossip missed.</summary>
    public int AntiEntropyIntervalMs { get; set; } = 2000;
    public GossipMode Mode { get; set; } = GossipMode.PushPull;
    /// <summary>A peer that does not answer within this is skipped for the round.</summary>
    public int CallTimeoutMs { get; set; } = 1000;
    /// <summary>
    /// Send the whole state in every gossip message instead of what the peer lacks. Only for
    /// measuring what deltas save (the <c>converge</c> benchmark); never useful in production.
    /// </summary>
    public bool FullState { get; set; }
    /// <summary>
    /// How long a silo generation that left is waited for: until then no tombstone it has not seen
    /// is pruned (it may restart on its journal), and after it its bookkeeping goes and a journal
    /// that old is not trusted. A day covers a night of maintenance and keeps the vectors small.
    /// </summary>
    public int ReplicaRetentionMs { get; set; } = 86_400_000;
}
