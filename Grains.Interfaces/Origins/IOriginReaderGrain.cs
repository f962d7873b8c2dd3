using Heck.Health;
using Heck.Replication;

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

    /// <summary>
    /// <see cref="Get"/> once this silo's replica covers <paramref name="token"/> (waiting at most
    /// <c>Heck:Reads:CausalWaitMs</c>); no value when it did not in time. The answer's token adds the entry read.
    /// </summary>
    [Alias("GetCausal")]
    Task<CausalRead<OriginView>> GetCausal(string id, CausalToken token);

    /// <summary><see cref="List"/> once this silo's replica covers <paramref name="token"/>, as <see cref="GetCausal"/>.</summary>
    [Alias("ListCausal")]
    Task<CausalRead<IReadOnlyList<OriginView>>> ListCausal(HealthStatus? status, CausalToken token);

    /// <summary>Transitions numbered above <paramref name="after"/>, at most <paramref name="max"/>.</summary>
    [Alias("TransitionsAfter")]
    Task<TransitionPage> TransitionsAfter(long after, int max);

    /// <summary>An origin's kept transitions in causal order (stamp order, the same on every silo); null when it is not registered.</summary>
    [Alias("Transitions")]
    Task<IReadOnlyList<Heck.Replication.StampedTransition>?> Transitions(string id);
}
