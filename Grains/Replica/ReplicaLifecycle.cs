using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Heck.Grains.Replica;

/// <summary>
/// Loads this silo's replica from its journal before the silo joins (a storage problem stops the
/// silo at start), and starts the replica's gossip once the silo is active. Probing resumes through
/// the ownership reconciler, which activates every registered origin this silo owns.
/// </summary>
public sealed class ReplicaLifecycle(LocalReplica replica, IGrainFactory grains, ILocalSiloDetails silo, ILogger<ReplicaLifecycle> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(ReplicaLifecycle) + ".Load", ServiceLifecycleStage.ApplicationServices, _ =>
        {
            replica.Load();
            return Task.CompletedTask;
        });
        lifecycle.Subscribe(nameof(ReplicaLifecycle), ServiceLifecycleStage.Active, ct =>
        {
            // In the background: just after joining, this silo's own Active row may not be in its
            // membership snapshot yet, and placing the pinned replica grain here fails until it is.
            _ = Task.Run(StartGossipAsync);
            return Task.CompletedTask;
        }, ct =>
        {
            _stopping.Cancel();
            return Task.CompletedTask;
        });
    }

    private async Task StartGossipAsync()
    {
        for (var attempt = 1; attempt <= 120 && !_stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await ReplicaGrain.Of(grains, silo.SiloAddress).Start();
                return;
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                if (attempt % 10 == 1) logger.LogDebug(ex, "Replica not started yet (attempt {Attempt}); retrying", attempt);
                try { await Task.Delay(500, _stopping.Token); } catch (OperationCanceledException) { return; }
            }
        }
        if (!_stopping.IsCancellationRequested) logger.LogError("The replica's gossip could not be started within a minute; this silo serves only its own writes");
    }
}
