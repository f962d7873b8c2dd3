using Heck.Grains.Cluster;
using Heck.Grains.Placement;
using Heck.Grains.Replica;
using Heck.Origins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Heck.Grains.Origins;

/// <summary>
/// Keeps each origin probed by its rendezvous owner. Orleans consults placement only when no
/// activation exists, so on start and on every membership change this silo activates every
/// registered origin it now owns (a join takes ~1/n of the origins; a death hands exactly the dead
/// silo's origins to their next-ranked silos) and asks local activations it no longer owns to
/// migrate to their owner.
/// </summary>
public sealed class OwnershipReconciler(
    LocalReplica replica, LocalOrigins local, IClusterMembershipService membership, ILocalSiloDetails silo,
    IGrainFactory grains, RendezvousPlacementDirector director, IOptions<OwnershipOptions> options, ILogger<OwnershipReconciler> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Parallelism = 64;

    // Short: a call that lands on a hung silo (in the moment silos disagree on its death) is abandoned
    // quickly, and the origin is retried after RetryAfter instead of waiting out a long timeout.
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(1);
    private readonly OwnershipOptions _options = options.Value;
    private int _failedCalls;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OwnershipReconciler), ServiceLifecycleStage.Active, OnActiveAsync, OnStopAsync);

    private Task OnActiveAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_loop is { } loop) await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var changed = new SemaphoreSlim(0);
        // Origins that arrive by gossip may be ours (a joiner learns its share this way).
        replica.RegistryChanged += () => changed.Release();
        // An activation that went away on its own (a dead silo held its directory entry) comes back now.
        local.Lost += () => changed.Release();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in membership.MembershipUpdates.WithCancellation(ct)) changed.Release();
            }
            catch (OperationCanceledException) { }
        }, CancellationToken.None);

        while (!ct.IsCancellationRequested)
        {
            try
            {
                await ReconcileAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Ownership reconciliation failed; retrying");
            }
            try
            {
                await changed.WaitAsync(Interlocked.Exchange(ref _failedCalls, 0) > 0 ? _options.RetryAfter : _options.ReconcilePeriod, ct);
                while (changed.CurrentCount > 0) await changed.WaitAsync(ct); // coalesce bursts of changes
            }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One pass: activate what this silo owns, hand off what it does not.</summary>
    public async Task ReconcileAsync(CancellationToken ct)
    {
        var self = silo.SiloAddress;
        var active = membership.CurrentSnapshot.ActiveSilos();
        if (!active.Contains(self)) return; // not (yet, or any more) a member: own nothing

        var owned = new List<string>();
        var toHandOff = new HashSet<string>(StringComparer.Ordinal);
        var ownerOf = director.Owners(active);
        foreach (var id in replica.LiveIds)
        {
            var owner = ownerOf(id);
            if (self.Equals(owner)) { if (!local.Contains(id)) owned.Add(id); }
            else if (local.Contains(id)) toHandOff.Add(id);
        }
        foreach (var id in local.Snapshot())
            if (replica.Spec(id) is null && !toHandOff.Contains(id)) local.Remove(id);

        var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct };
        await Parallel.ForEachAsync(toHandOff, options, async (id, _) => await Try(id, g => g.Handoff()));
        // Activate our origins here, by hint: placement may run on a silo whose view still lags
        // (just after a join), which would put the origin back on its old owner, pass after pass.
        await Parallel.ForEachAsync(owned, options, async (id, _) => await Try(id, g =>
        {
            RequestContext.Set(Orleans.Runtime.Placement.IPlacementDirector.PlacementHintKey, self);
            try { return g.GetView(); }
            finally { RequestContext.Remove(Orleans.Runtime.Placement.IPlacementDirector.PlacementHintKey); }
        }));
        if (owned.Count + toHandOff.Count > 0)
            logger.LogInformation("Ownership: took {Taken} origins, handed off {Given}", owned.Count, toHandOff.Count);
    }

    private async Task Try(string id, Func<IOriginGrain, Task> call)
    {
        // Bounded: a call routed to a hung silo (until the directory forgets it) would otherwise
        // wait out the response timeout and hold up the whole pass; the next pass retries.
        try { await call(grains.GetGrain<IOriginGrain>(id)).WaitAsync(CallTimeout); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref _failedCalls);
            logger.LogDebug(ex, "Reconciling origin {Id} failed; the next pass retries", id);
        }
    }
}
