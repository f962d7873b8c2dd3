using Heck.Grains.Placement;
using Heck.Grains.Replica;
using Heck.Origins;
using Heck.Replication;
using Heck.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Runtime;
using Xunit;

namespace Heck.Tests.Grains;

/// <summary>
/// Orleans deactivates an activation whose directory entry a dead silo held; when that takes every
/// replica grain at once, no peer is left to push and re-activate them. Each silo must start its
/// own replica again, or gossip stops for good.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class ReplicaKeepAliveClusterTests() : HeckClusterTest(2, ("HeckTestGossipMs", "50"))
{
    private IReadOnlyList<IServiceProvider> Silos => AllServices;

    private static LocalReplica ReplicaOf(IServiceProvider silo) => silo.GetRequiredService<LocalReplica>();

    private static OriginSpec Spec(string id) =>
        OriginValidator.Validate(id, new OriginInput { Url = $"http://127.0.0.1:9/{id}", IntervalMs = 60_000 }, out var s).Count == 0
            ? s! : throw new ArgumentException(id);

    [Fact]
    public async Task Gossip_resumes_after_every_replica_grain_is_deactivated()
    {
        ReplicaOf(Silos[0]).Upsert(Spec("before"));
        await Eventually.True(() => ReplicaOf(Silos[1]).Spec("before") is not null, TimeSpan.FromSeconds(15), "gossip works to begin with");

        foreach (var silo in Cluster.Silos)
        {
            var replica = Cluster.Client.GetGrain<IReplicaGrain>(SiloPinnedPlacement.KeyOf(silo.SiloAddress));
            await replica.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        }

        // Written straight into one silo's replica: only gossip can bring it to the other.
        ReplicaOf(Silos[0]).Upsert(Spec("after"));
        ReplicaOf(Silos[1]).Upsert(Spec("after-too"));
        await Eventually.True(
            () => ReplicaOf(Silos[1]).Spec("after") is not null && ReplicaOf(Silos[0]).Spec("after-too") is not null,
            TimeSpan.FromSeconds(15), "gossip resumed in both directions");
    }
}
