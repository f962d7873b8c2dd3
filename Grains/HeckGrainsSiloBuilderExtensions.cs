using Heck.Grains.Cluster;
using Heck.Grains.Metrics;
using Heck.Grains.Origins;
using Heck.Grains.Placement;
using Heck.Grains.Probing;
using Heck.Grains.Replica;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Heck.Grains;

public static class HeckGrainsSiloBuilderExtensions
{
    /// <summary>
    /// Everything a silo needs to own, probe and serve origins: durable storage in
    /// <paramref name="storagePath"/>, placement, the prober, the local replica and its gossip, and
    /// the ownership reconciler. Gossip binds <c>Heck:Gossip</c>, causal reads <c>Heck:Reads</c>, the probes' network
    /// policy <c>Heck:Probing</c>, limits <c>Heck:Limits</c> and confirmation <c>Heck:Placement</c>, validated at start; the callbacks are seams for tests and run
    /// after binding.
    /// </summary>
    public static ISiloBuilder AddHeckGrains(this ISiloBuilder silo, string storagePath, Action<GossipOptions>? gossip = null,
        Action<ConfirmationOptions>? confirmation = null, Action<OwnershipOptions>? ownership = null)
    {
        silo.AddSiloPinnedPlacement();
        silo.AddRendezvousPlacement();
        var services = silo.Services;
        services.AddOptions<GossipOptions>().BindConfiguration(GossipOptions.SectionName)
            .Configure(o => gossip?.Invoke(o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GossipOptions>, GossipOptionsValidator>();
        services.AddOptions<ReadOptions>().BindConfiguration(ReadOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReadOptions>, ReadOptionsValidator>();
        services.AddOptions<ProbingOptions>().BindConfiguration(ProbingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProbingOptions>, ProbingOptionsValidator>();
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.AddSingleton(sp => NetworkPolicy.From(sp.GetRequiredService<IOptions<ProbingOptions>>().Value));
        // TryAdd, so tests can map made-up names to loopback addresses.
        services.TryAddSingleton<IProbeResolver>(DnsProbeResolver.Instance);
        services.AddOptions<ConfirmationOptions>().BindConfiguration(ConfirmationOptions.SectionName)
            .Configure(o => confirmation?.Invoke(o));
        services.AddOptions<OwnershipOptions>().Configure(o => ownership?.Invoke(o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OwnershipOptions>, OwnershipOptionsValidator>();
        services.AddSingleton<GossipGate>();
        services.AddSingleton(sp => new RegistryJournal(storagePath, sp.GetRequiredService<Orleans.Serialization.Serializer>()));
        services.TryAddSingleton(TimeProvider.System);
        // TryAdd, so tests can put a failing or counting prober in front of the real one.
        services.TryAddSingleton<IOriginProber, OriginProber>();
        services.AddSingleton<LocalReplica>();
        services.AddSingleton<OriginReads>();
        services.AddSingleton<CausalWait>();
        services.AddSingleton<MembershipReader>();
        services.AddSingleton<LocalOrigins>();
        services.AddMetrics();
        services.AddSingleton<HeckMeter>();
        services.AddSingleton<OriginMetrics>();
        services.AddSingleton<ReplicaMetrics>();
        services.AddSingleton<Confirmers>();
        services.AddSingleton<RendezvousPlacementDirector>();
        services.AddSingleton<OwnershipReconciler>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<OwnershipReconciler>());
        services.AddSingleton<IReplicaServiceClient, ReplicaServiceClient>();
        silo.AddGrainService<ReplicaService>();
        return silo;
    }
}
