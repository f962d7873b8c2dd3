using System.Diagnostics;
using Heck.Grains.Cluster;
using Heck.Grains.Health;
using Heck.Grains.Metrics;
using Heck.Grains.Placement;
using Heck.Origins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Heck.Grains.Origins;

/// <summary>
/// Asks an origin's confirmers — the silos ranked right after its owner — to probe it now, and
/// gathers their votes with the owner's into a <see cref="Confirmation"/>.
/// </summary>
public sealed class Confirmers(
    IGrainFactory grains, IClusterMembershipService membership, RendezvousPlacementDirector director,
    ILocalSiloDetails silo, IOptions<ConfirmationOptions> options, HeckMeter meter, ILogger<Confirmers> logger)
{
    private readonly ConfirmationOptions _options = options.Value;
    private readonly string _self = silo.SiloAddress.Label();

    /// <summary>
    /// The confirmers' votes with the owner's on a round this silo probed: a failure that would
    /// turn the origin unhealthy, or (<paramref name="recovery"/>) any round while it is unhealthy.
    /// Null when there are none (a one-silo cluster, or confirmation turned off): the owner's
    /// verdict stands alone.
    /// </summary>
    public async Task<Confirmation?> AskAsync(OriginSpec spec, bool ownerSucceeded = false, bool recovery = false)
    {
        var live = membership.CurrentSnapshot.ActiveSilos();
        var count = recovery ? _options.ForRecovery(live.Length) : _options.For(live.Length);
        if (count == 0) return null;
        meter.Confirmations.Add(1, new KeyValuePair<string, object?>("kind", recovery ? "recovery" : "failure"));
        var confirmers = director.Rank(spec.Id, live).Where(s => !s.Equals(silo.SiloAddress)).Take(count).ToList();
        var timeout = TimeSpan.FromMilliseconds(spec.TimeoutMs + 1000);
        var votes = await Task.WhenAll(confirmers.Select(confirmer => VoteAsync(confirmer, spec, timeout)));
        var failed = new List<string>();
        var succeeded = new List<string>();
        (ownerSucceeded ? succeeded : failed).Add(_self);
        foreach (var vote in votes.OfType<ConfirmationVote>()) (vote.Success ? succeeded : failed).Add(vote.Prober);
        return new Confirmation(failed, succeeded, ownerSucceeded, confirmers.Count);
    }

    /// <summary>One confirmer's vote, or null when it did not answer within <paramref name="timeout"/>.</summary>
    private async Task<ConfirmationVote?> VoteAsync(SiloAddress confirmer, OriginSpec spec, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try { return await ConfirmerGrain.Of(grains, confirmer).Probe(spec).WaitAsync(timeout - clock.Elapsed); }
            catch (Exception ex) when (attempt == 1 && ex is not TimeoutException && clock.Elapsed < timeout / 2)
            {
                // A call that failed at once (an activation moving, a directory hiccup) is worth one
                // more try within the same budget: a lost vote lets the owner decide alone.
                logger.LogDebug(ex, "Confirmer {Silo} of origin {Id} failed at once; asking again", confirmer, spec.Id);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Confirmer {Silo} of origin {Id} did not answer", confirmer, spec.Id);
                return null;
            }
        }
    }
}
