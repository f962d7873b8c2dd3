using Orleans.Services;

namespace Heck.Replication;

/// <summary>
/// A silo's replica, as other silos reach it for gossip: an Orleans grain service, so exactly one
/// per silo, addressed by the silo's address, running for as long as the silo does.
/// </summary>
[Alias("heck.IReplicaService")]
public interface IReplicaService : IGrainService
{
    /// <summary>
    /// Merges a delta from <paramref name="sender"/>, whose own vector is <paramref name="senderVersion"/>
    /// (so this replica does not send back what the sender has); answers with this replica's vector
    /// afterwards. Refused (<see cref="GossipRefusedException"/>) when membership has the sender dead.
    /// </summary>
    [Alias("Push")]
    Task<VersionVector> Push(SiloAddress sender, VersionVector senderVersion, Delta delta);

    /// <summary>What the caller (whose vector is <paramref name="version"/>) lacks, and this replica's vector.</summary>
    [Alias("Pull")]
    Task<PullResult> Pull(SiloAddress caller, VersionVector version);

    [Alias("GetStats")]
    Task<ReplicaStats> GetStats();

    /// <summary>
    /// When this replica's journal was last stamped active, if it holds that journal back as too
    /// old to trust (see <see cref="JournalRecovery"/>); null when it does not.
    /// </summary>
    [Alias("HeldBackSince")]
    Task<long?> HeldBackSince();
}

[GenerateSerializer, Alias("heck.PullResult"), Immutable]
public sealed record PullResult([property: Id(0)] Delta Delta, [property: Id(1)] VersionVector Version);

/// <summary>Counters of one replica's gossip, for the API and benchmarks.</summary>
[GenerateSerializer, Alias("heck.ReplicaStats"), Immutable]
public sealed record ReplicaStats
{
    [Id(0)] public required string Replica { get; init; }
    [Id(1)] public int Origins { get; init; }
    [Id(2)] public int Records { get; init; }
    [Id(3)] public long BytesSent { get; init; }
    [Id(4)] public long DeltasSent { get; init; }
    [Id(5)] public long DeltasReceived { get; init; }
    [Id(6)] public int FullStateBytes { get; init; }
    [Id(7)] public string Mode { get; init; } = "";
    /// <summary>Pushes and pulls refused because membership had the sender dead.</summary>
    [Id(8)] public long Refused { get; init; }
    [Id(9)] public bool FullState { get; init; }
    /// <summary>Serialized bytes of the whole state, as a full-state gossip message would carry it.</summary>
    [Id(10)] public long FullStateSerializedBytes { get; init; }
}

/// <summary>
/// A gossip message from a silo that membership has declared dead: its state may be a zombie's
/// (a paused process that resumed), so it is not merged.
/// </summary>
[GenerateSerializer, Alias("heck.GossipRefusedException")]
public sealed class GossipRefusedException(string message) : Exception(message);
