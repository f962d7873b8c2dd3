using Heck.Grains.Replica;

namespace Heck.Tests.Grains;

/// <summary>
/// Two silos gossiping by push only: a replica does not push back what a peer has told it it
/// has. (Push-pull would also be correct but would hide this: the peer's pull fetches what it lacks.)
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class GossipEchoClusterTests() : HeckClusterTest(2, ("HeckTestGossipMs", "50"), ("HeckTestGossipMode", "Push"))
{
    private LocalReplica ReplicaOn(int silo) => Services(silo).GetRequiredService<LocalReplica>();

    private OriginSpec Spec(string id) =>
        OriginValidator.Validate(id, new OriginInput { Url = Target.Url($"/{id}"), IntervalMs = 60_000 }, out var s).Count == 0 ? s! : throw new ArgumentException(id);

    [Fact]
    public async Task A_replica_does_not_push_back_what_the_peer_said_it_has()
    {
        var (a, b) = (Cluster.Silos[0].SiloAddress, Cluster.Silos[1].SiloAddress);
        // Writes of a replica that exists only in this test, so neither silo has them by itself.
        var writer = new ReplicaId("10.255.0.1:11111", 1);
        var clock = new HlcClock(TimeProvider.System);
        var (s1, claimedByPush) = ReplicaState.Empty.UpsertSpec(Spec("pushed"), writer, clock);
        var (s2, claimedByPull) = s1.UpsertSpec(Spec("pulled"), writer, clock);
        var (_, lacked) = s2.UpsertSpec(Spec("lacked"), writer, clock);
        var (pushedDot, pulledDot) = (claimedByPush.Specs[0].Dot, claimedByPull.Specs[0].Dot);

        // In A's name: a pull stating a vector with `pulled`, a push of `pushed` stating a vector
        // with it, then pushes of `pulled` and `lacked` stating nothing.
        var toB = Services(0).GetRequiredService<IReplicaServiceClient>().Of(b);
        await toB.Pull(a, VersionVector.Empty.Add(pulledDot));
        await toB.Push(a, VersionVector.Empty.Add(pushedDot), claimedByPush);
        await toB.Push(a, VersionVector.Empty, claimedByPull);
        await toB.Push(a, VersionVector.Empty, lacked);
        Assert.NotNull(ReplicaOn(1).Spec("pushed"));

        // B's gossip brings A what A lacks, and only that: by the time `lacked` has arrived, B has
        // pushed to A several times (every 50 ms) and would have sent the others with it.
        await Eventually.True(() => ReplicaOn(0).Spec("lacked") is not null, TimeSpan.FromSeconds(10), "A receives what it lacked");
        await Task.Delay(500); // ten more gossip rounds
        Assert.Null(ReplicaOn(0).Spec("pushed"));
        Assert.Null(ReplicaOn(0).Spec("pulled"));
        Assert.False(ReplicaOn(0).Version.Contains(pushedDot) || ReplicaOn(0).Version.Contains(pulledDot));
    }
}
