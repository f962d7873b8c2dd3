using Heck.Grains.Cluster;
using Heck.Grains.Placement;
using Heck.Grains.Probing;
using Heck.Origins;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Heck.Grains.Origins;

/// <summary>Runs confirmation probes on its own silo; reentrant, so confirmations never queue behind each other.</summary>
[SiloPinnedPlacement, Reentrant, GrainType("confirmer")]
public sealed class ConfirmerGrain(IOriginProber prober, ILocalSiloDetails silo) : Grain, IConfirmerGrain
{
    private readonly string _self = silo.SiloAddress.Label();

    public static IConfirmerGrain Of(IGrainFactory grains, SiloAddress silo) =>
        grains.GetGrain<IConfirmerGrain>(SiloPinnedPlacement.KeyOf(silo));

    public async Task<ConfirmationVote> Probe(OriginSpec spec)
    {
        var result = await prober.ProbeAsync(spec, CancellationToken.None);
        return new ConfirmationVote(result.Success, result.Error, _self);
    }
}
