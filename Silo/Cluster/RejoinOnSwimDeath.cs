using Heck.Membership.Orleans;
using Orleans.Runtime;

namespace Heck.Silo.Cluster;

/// <summary>
/// Asks for a new generation as soon as SWIM declares this one dead, without waiting for Orleans' next table read, and
/// also when that happens while Orleans is still starting (a joiner declared dead before it became active). Subscribes in
/// the silo's first lifecycle stage, before the membership table starts SWIM.
/// </summary>
internal sealed class RejoinOnSwimDeath(SwimMembership swim, RejoinSignal signal) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RejoinOnSwimDeath), ServiceLifecycleStage.First, _ =>
        {
            swim.DeclaredDead += OnDeclaredDead;
            if (swim.IsDeclaredDead) OnDeclaredDead();
            return Task.CompletedTask;
        });

    private void OnDeclaredDead() => signal.Request($"SWIM declared this silo ({swim.Self}) dead", swim.PeerEndpoints());
}
