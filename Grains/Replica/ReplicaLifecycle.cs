using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Heck.Grains.Replica;

/// <summary>
/// Loads this silo's replica from its journal before the silo joins (a storage problem stops the
/// silo at start), starts the replica's gossip once the silo is active, and keeps it running for
/// as long as the silo is. Probing resumes through the ownership reconciler, which activates every
/// registered origin this silo owns.
/// </summary>
/// <remarks>
/// Orleans deactivates an activation whose grain-directory entry was held by a silo that died, and
/// the pinned replica grain is no exception. Peers' pushes re-activate it, but when a death takes
/// every survivor's replica grain at once nobody pushes and gossip would stop for good; so this
/// silo re-starts its own replica at once when it learns of a deactivation, and every
/// <see cref="KeepAlivePeriod"/> in case it did not (starting a running replica does nothing).
/// </remarks>
public sealed class ReplicaLifecycle(LocalReplica replica, IGrainFactory grains, ILocalSiloDetails silo, ILogger<ReplicaLifecycle> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How often the replica grain is started again in case it was deactivated unseen.</summary>
    public static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromSeconds(1);

    // A start that hangs (the silo's own membership row still settling) is retried, not waited out.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _deactivated = new(0);

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
            _ = Task.Run(KeepGossipRunningAsync);
            return Task.CompletedTask;
        }, ct =>
        {
            _stopping.Cancel();
            return Task.CompletedTask;
        });
    }

    /// <summary>The replica grain tells its silo that it is being deactivated, so that it is started again at once.</summary>
    public void ReplicaDeactivating()
    {
        if (!_stopping.IsCancellationRequested) _deactivated.Release();
    }

    private async Task KeepGossipRunningAsync()
    {
        if (!await StartGossipAsync()) return;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                if (await _deactivated.WaitAsync(KeepAlivePeriod, _stopping.Token))
                    logger.LogInformation("The replica grain was deactivated; starting its gossip again");
                while (_deactivated.CurrentCount > 0) await _deactivated.WaitAsync(_stopping.Token);
                // A message to an activation that is still deactivating waits for it and then
                // reaches a new one, so this call restarts gossip whichever it finds.
                await ReplicaGrain.Of(grains, silo.SiloAddress).Start().WaitAsync(StartTimeout, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Restarting the replica's gossip failed; retrying");
            }
        }
    }

    /// <summary>The first start, retried for up to a minute while this silo settles into the cluster.</summary>
    private async Task<bool> StartGossipAsync()
    {
        for (var attempt = 1; attempt <= 120 && !_stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await ReplicaGrain.Of(grains, silo.SiloAddress).Start().WaitAsync(StartTimeout, _stopping.Token);
                return true;
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                if (attempt % 10 == 1) logger.LogDebug(ex, "Replica not started yet (attempt {Attempt}); retrying", attempt);
                try { await Task.Delay(500, _stopping.Token); } catch (OperationCanceledException) { return false; }
            }
            catch (OperationCanceledException) { return false; }
        }
        if (!_stopping.IsCancellationRequested) logger.LogError("The replica's gossip could not be started within a minute; this silo serves only its own writes");
        return false;
    }
}
