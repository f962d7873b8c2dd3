using Heck.Grains.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Heck.Tests.Placement;

/// <summary>The director against a fixed candidate list, without a cluster.</summary>
public sealed class RendezvousPlacementDirectorTests
{
    private sealed class Context(SiloAddress[] silos) : IPlacementContext
    {
        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => silos;
        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) => new Dictionary<ushort, SiloAddress[]> { [0] = silos };
        public SiloAddress LocalSilo => silos[0];
        public SiloStatus LocalSiloStatus => SiloStatus.Active;
    }

    private static readonly RendezvousPlacementDirector Director = new(new ServiceCollection().BuildServiceProvider());

    private static SiloAddress Silo(int port, int generation = 1) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), generation);

    private static PlacementTarget Target(string key, Dictionary<string, object>? context = null) =>
        new(GrainId.Create("placed", key), context!, GrainInterfaceType.Create("iplaced"), 0);

    private static Task<SiloAddress> Place(string key, params SiloAddress[] silos) =>
        Director.OnAddActivation(RendezvousPlacement.Singleton, Target(key), new Context(silos));

    [Fact]
    public void Identity_is_the_endpoint_and_key_is_the_grain_key()
    {
        Assert.Equal("127.0.0.1:11111", RendezvousPlacementDirector.IdentityOf(Silo(11111, 42)));
        Assert.Equal(RendezvousPlacementDirector.IdentityOf(Silo(11111, 1)), RendezvousPlacementDirector.IdentityOf(Silo(11111, 2)));
        Assert.Equal("origin-7", RendezvousPlacementDirector.KeyOf(GrainId.Create("origin", "origin-7")));
    }

    [Fact]
    public async Task Places_on_the_ranked_owner_whatever_the_candidate_order()
    {
        var silos = Enumerable.Range(0, 5).Select(i => Silo(11111 + i)).ToArray();
        var nodes = silos.Select(s => new RendezvousNode(RendezvousPlacementDirector.IdentityOf(s))).ToArray();
        foreach (var key in Enumerable.Range(0, 200).Select(i => $"origin-{i}"))
        {
            var expected = silos[RendezvousRanking.OwnerIndex(key, nodes)];
            Assert.Equal(expected, await Place(key, silos));
            Assert.Equal(expected, await Place(key, silos.Reverse().ToArray()));
        }
    }

    [Fact]
    public async Task Of_two_generations_on_one_endpoint_only_the_newer_is_ranked()
    {
        var silos = Enumerable.Range(0, 3).Select(i => Silo(11111 + i)).Append(Silo(11112, 2)).ToArray();
        var placed = new List<SiloAddress>();
        foreach (var key in Enumerable.Range(0, 200).Select(i => $"origin-{i}")) placed.Add(await Place(key, silos));
        Assert.DoesNotContain(silos[1], placed);
        Assert.Contains(silos[3], placed);
    }

    [Fact]
    public async Task A_placement_hint_wins()
    {
        var silos = Enumerable.Range(0, 3).Select(i => Silo(11111 + i)).ToArray();
        foreach (var hinted in silos)
        {
            var target = Target("origin-1", new Dictionary<string, object> { [IPlacementDirector.PlacementHintKey] = hinted });
            Assert.Equal(hinted, await Director.OnAddActivation(RendezvousPlacement.Singleton, target, new Context(silos)));
        }
    }
}
