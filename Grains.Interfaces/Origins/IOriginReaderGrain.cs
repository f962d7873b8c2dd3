using Heck.Health;

namespace Heck.Origins;

/// <summary>
/// Reads answered by the silo that receives them, from that silo's own copy of the origin state,
/// with no call to any origin's owner. A stateless worker, so every silo (and every gateway a client
/// talks to) serves it locally. Use key 0.
/// </summary>
[Alias("heck.IOriginReaderGrain")]
public interface IOriginReaderGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<OriginView?> Get(string id);

    /// <summary>All origins, sorted by id, optionally only those with one status.</summary>
    [Alias("List")]
    Task<IReadOnlyList<OriginView>> List(HealthStatus? status);

    /// <summary>Transitions numbered above <paramref name="after"/>, at most <paramref name="max"/>.</summary>
    [Alias("TransitionsAfter")]
    Task<TransitionPage> TransitionsAfter(long after, int max);

    /// <summary>An origin's kept transitions in causal order (stamp order, the same on every silo); null when it is not registered.</summary>
    [Alias("Transitions")]
    Task<IReadOnlyList<Heck.Replication.StampedTransition>?> Transitions(string id);
}
