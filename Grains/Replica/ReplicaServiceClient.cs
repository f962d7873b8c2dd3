using Heck.Replication;
using Orleans.Runtime;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace Heck.Grains.Replica;

/// <summary>Reaches the <see cref="IReplicaService"/> of a given silo.</summary>
public interface IReplicaServiceClient : IGrainServiceClient<IReplicaService>
{
    IReplicaService Of(SiloAddress silo);
}

public sealed class ReplicaServiceClient(IServiceProvider services) : GrainServiceClient<IReplicaService>(services), IReplicaServiceClient
{
    public IReplicaService Of(SiloAddress silo) => GetGrainService(silo);
}
