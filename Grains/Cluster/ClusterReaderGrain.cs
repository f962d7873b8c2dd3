using Heck.Cluster;
using Orleans.Concurrency;
using ClusterMember = Heck.Cluster.ClusterMember;

namespace Heck.Grains.Cluster;

/// <summary>Answers membership questions on whichever silo the call lands (a stateless worker is always local).</summary>
[StatelessWorker, GrainType("cluster-reader")]
public sealed class ClusterReaderGrain(MembershipReader members) : Grain, IClusterReaderGrain
{
    public Task<IReadOnlyList<ClusterMember>> Members() => members.ReadAsync();
}
