using Heck.Grains.Replica;

namespace Heck.Tests.Grains;

/// <summary>
/// A silo's death takes the grain-directory entries it held, and Orleans deactivates the
/// activations they named; the replica is a grain service, outside the directory, so gossip
/// between the survivors goes on in both directions.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class GossipAfterSiloDeathClusterTests() : HeckClusterTest(3, ("HeckTestGossipMs", "50"))
{
    private static LocalReplica ReplicaOf(IServiceProvider silo) => silo.GetRequiredService<LocalReplica>();

    private static OriginSpec Spec(string id) =>
        OriginValidator.Validate(id, new OriginInput { Url = $"http://127.0.0.1:9/{id}", IntervalMs = 60_000 }, out var s).Count == 0
            ? s! : throw new ArgumentException(id);

    [Fact]
    public async Task Survivors_keep_gossiping_after_a_silo_is_killed()
    {
        var (first, second, victim) = (Services(0), Services(1), Services(2));
        ReplicaOf(first).Upsert(Spec("before"));
        await Eventually.True(() => ReplicaOf(second).Spec("before") is not null && ReplicaOf(victim).Spec("before") is not null,
            TimeSpan.FromSeconds(15), "gossip works to begin with");

        await Cluster.KillSiloAsync(Cluster.Silos[2]);

        // Written straight into one silo's replica: only gossip can bring it to the other.
        ReplicaOf(first).Upsert(Spec("after"));
        ReplicaOf(second).Upsert(Spec("after-too"));
        await Eventually.True(
            () => ReplicaOf(second).Spec("after") is not null && ReplicaOf(first).Spec("after-too") is not null,
            TimeSpan.FromSeconds(20), "gossip between the survivors goes on in both directions");
    }
}
