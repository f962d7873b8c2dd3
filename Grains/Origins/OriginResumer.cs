using Heck.Grains.Replica;
using Heck.Origins;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Heck.Grains.Origins;

/// <summary>
/// At start, loads this silo's replica from its journal, starts its gossip, and wakes every
/// registered origin so that probing resumes after a restart with no call from anyone. (The
/// ownership reconciler generalises the wake-up: each silo activates what it owns.)
/// </summary>
public sealed class OriginResumer(LocalReplica replica, IGrainFactory grains, ILocalSiloDetails silo, ILogger<OriginResumer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Parallelism = 64;
    private Task? _resuming;

    public void Participate(ISiloLifecycle lifecycle)
    {
        // Early: a storage problem must stop the silo before it joins.
        lifecycle.Subscribe(nameof(OriginResumer) + ".Load", ServiceLifecycleStage.ApplicationServices, _ =>
        {
            replica.Load();
            return Task.CompletedTask;
        });
        lifecycle.Subscribe(nameof(OriginResumer), ServiceLifecycleStage.Active, OnActiveAsync, OnStopAsync);
    }

    private async Task OnActiveAsync(CancellationToken cancellationToken)
    {
        await ReplicaGrain.Of(grains, silo.SiloAddress).Start();
        // In the background: a silo with many origins must not delay its own start on them.
        _resuming = Task.Run(() => ResumeAllAsync(cancellationToken), CancellationToken.None);
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        if (_resuming is { } resuming) await resuming.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ResumeAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            var ids = replica.LiveIds.ToList();
            var failed = 0;
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (id, _) =>
                {
                    try { await grains.GetGrain<IOriginGrain>(id).GetView(); }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        Interlocked.Increment(ref failed);
                        logger.LogWarning(ex, "Could not resume origin {Id}", id);
                    }
                });
            logger.LogInformation("Resumed {Count} registered origins ({Failed} failed)", ids.Count - failed, failed);
        }
        catch (OperationCanceledException) { }
    }
}
