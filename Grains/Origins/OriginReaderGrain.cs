using Heck.Grains.Replica;
using Heck.Health;
using Heck.Origins;
using Heck.Replication;
using Orleans.Concurrency;

namespace Heck.Grains.Origins;

/// <summary>
/// Serves reads from the local replica of whichever silo the call lands on. A stateless worker is
/// always activated on the calling silo (for a client, its gateway), so no read crosses the cluster.
/// Health is read as the HTTP API reads it (<see cref="OriginReads"/>: staleness included).
/// </summary>
[StatelessWorker, GrainType("origin-reader")]
public sealed class OriginReaderGrain(LocalReplica replica, OriginReads reads, CausalWait wait) : Grain, IOriginReaderGrain
{
    public Task<OriginView?> Get(string id) => Task.FromResult(reads.Get(id));

    public Task<IReadOnlyList<OriginView>> List(HealthStatus? status) => Task.FromResult(reads.List(status));

    public async Task<CausalRead<OriginView>> GetCausal(string id, CausalToken token)
    {
        var waited = await wait.UntilCoveredAsync(token);
        if (!waited.Covered) return new(null, waited, token);
        var view = reads.Get(id);
        return new(view, waited, token.Merge(replica.TokenOf(id)));
    }

    public async Task<CausalRead<IReadOnlyList<OriginView>>> ListCausal(HealthStatus? status, CausalToken token)
    {
        var waited = await wait.UntilCoveredAsync(token);
        if (!waited.Covered) return new(null, waited, token);
        var items = reads.List(status);
        return new(items, waited, token.Merge(replica.TokenOfAll(items.Select(v => v.Spec.Id))));
    }

    public Task<TransitionPage> TransitionsAfter(long after, int max) =>
        Task.FromResult(replica.TransitionsAfter(after, Math.Clamp(max, 1, 1000)));

    public Task<IReadOnlyList<StampedTransition>?> Transitions(string id) => Task.FromResult(replica.TransitionsOf(id));
}
