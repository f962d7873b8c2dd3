namespace Heck.Tests.Replication;

/// <summary>One silo generation's replica in the simulation: its state and what its gossip loop remembers.</summary>
internal sealed class SimulatedReplica
{
    public SimulatedReplica(ReplicaId id, long startMs)
    {
        Id = id;
        Time = new ManualTime(startMs);
        Clock = new HlcClock(Time);
    }

    public ReplicaId Id { get; }
    public ManualTime Time { get; }
    public HlcClock Clock { get; }
    public ReplicaState State { get; set; } = ReplicaState.Empty;
    /// <summary>Local writes not yet pushed.</summary>
    public Delta Pending { get; set; } = Delta.Empty;
    /// <summary>What each peer has reported, as the replica service keeps it: for cuts and the prune frontier.</summary>
    public PeerVersions Peers { get; } = new();
    public PruneFrontier Frontier { get; set; } = PruneFrontier.Initial;
    public bool Alive { get; set; } = true;

    public void Write((ReplicaState State, Delta Delta) write)
    {
        State = write.State;
        Pending = Pending.Join(write.Delta);
    }
}
