using Orleans.Runtime;

namespace Heck.Grains.Replica;

/// <summary>
/// Loads this silo's replica from its journal before the silo joins (a storage problem stops the
/// silo at start), and starts the replica's gossip once the silo is active. Probing resumes through
/// the ownership reconciler, which activates every registered origin this silo owns.
/// </summary>
public sealed class ReplicaLifecycle(LocalReplica replica, IGrainFactory grains, ILocalSiloDetails silo)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(ReplicaLifecycle) + ".Load", ServiceLifecycleStage.ApplicationServices, _ =>
        {
            replica.Load();
            return Task.CompletedTask;
        });
        lifecycle.Subscribe(nameof(ReplicaLifecycle), ServiceLifecycleStage.Active,
            _ => ReplicaGrain.Of(grains, silo.SiloAddress).Start());
    }
}
