using Heck.Grains.Replica;

namespace Heck.Tests.Grains;

/// <summary>
/// A silo that stops gracefully first hands its peers what they lack: a registration it
/// acknowledged just before stopping must not wait in its journal until it comes back.
/// Gossip rounds are a minute apart here, so only the hand-over on stop can pass the test.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class GossipOnStopClusterTests() : HeckClusterTest(2, ("HeckTestGossipMs", "60000"))
{
    [Fact]
    public async Task A_stopping_silo_pushes_its_last_writes_to_its_peers()
    {
        var input = new OriginInput { Url = "http://127.0.0.1:9/last", IntervalMs = 60_000 };
        Assert.Empty(OriginValidator.Validate("last", input, out var spec));
        var survivor = Services(0).GetRequiredService<LocalReplica>();
        Services(1).GetRequiredService<LocalReplica>().Upsert(spec!);
        Assert.Null(survivor.Spec("last"));

        await Cluster.StopSiloAsync(Cluster.Silos[1]);

        Assert.NotNull(survivor.Spec("last"));
    }
}
