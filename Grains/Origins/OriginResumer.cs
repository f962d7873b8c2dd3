using Heck.Grains.Storage;
using Heck.Origins;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Heck.Grains.Origins;

/// <summary>
/// Wakes every stored origin when the silo becomes active, so that registered origins resume
/// probing after a restart with no call from anyone. (The ownership reconciler generalises this
/// to many silos: each activates what it owns.)
/// </summary>
public sealed class OriginResumer(IStoredGrainIndex index, IGrainFactory grains, ILogger<OriginResumer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Parallelism = 64;
    private Task? _resuming;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OriginResumer), ServiceLifecycleStage.Active, OnActiveAsync, OnStopAsync);

    private Task OnActiveAsync(CancellationToken cancellationToken)
    {
        // In the background: a silo with many origins must not delay its own start on them.
        _resuming = Task.Run(() => ResumeAllAsync(cancellationToken), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        if (_resuming is { } resuming) await resuming.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ResumeAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            var ids = await index.ListKeysAsync(OriginGrain.GrainTypeName, OriginGrain.StateName, cancellationToken);
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
            logger.LogInformation("Resumed {Count} stored origins ({Failed} failed)", ids.Count - failed, failed);
        }
        catch (OperationCanceledException) { }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not list stored origins; they resume when next called");
        }
    }
}
