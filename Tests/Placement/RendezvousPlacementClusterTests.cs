using Heck.Grains.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;

namespace Heck.Tests.Placement;

public interface IPlacedGrain : IGrainWithStringKey
{
    Task<string> Silo();
}

/// <summary>Reports the silo it was activated on.</summary>
[RendezvousPlacement]
public sealed class PlacedGrain(ILocalSiloDetails silo) : Grain, IPlacedGrain
{
    public Task<string> Silo() => Task.FromResult(silo.SiloAddress.ToParsableString());
}

public sealed class RendezvousSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder silo)
    {
        // The weighted cluster gives its primary silo four times the capacity of the others.
        if (silo.Configuration["HeckTestPrimaryWeight"] is { } weight && silo.Configuration["Orleans:Name"] == Orleans.Runtime.Silo.PrimarySiloName)
            silo.Configuration[RendezvousPlacementExtensions.WeightKey] = weight;
        silo.AddRendezvousPlacement();
    }
}

/// <summary>Three silos: every grain activates on exactly the silo the pure ranking predicts.</summary>
[Trait("Category", "Cluster")]
public sealed class RendezvousPlacementClusterTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("4")]
    public async Task Each_grain_activates_on_the_silo_the_ranking_predicts(string? primaryWeight)
    {
        await using var testing = await TestingCluster.StartAsync<RendezvousSiloConfigurator>(3, [("HeckTestPrimaryWeight", primaryWeight)]);
        var cluster = testing.Cluster;
        var silos = cluster.Silos.Select(s => s.SiloAddress).ToArray();
        var primary = cluster.Primary!.SiloAddress;
        var weights = silos.Select(s => s == primary && primaryWeight is not null ? double.Parse(primaryWeight) : 1).ToArray();
        await AllSilosSeeAllAsync(testing, silos, weights);
        var nodes = silos.Select((s, i) => new RendezvousNode(RendezvousPlacementDirector.IdentityOf(s), weights[i])).ToArray();

        var keys = Enumerable.Range(0, 90).Select(i => $"origin-{i}").ToArray();
        var placed = new Dictionary<string, string>();
        foreach (var key in keys) placed[key] = await cluster.Client.GetGrain<IPlacedGrain>(key).Silo();

        Assert.All(keys, key => Assert.Equal(silos[RendezvousRanking.OwnerIndex(key, nodes)].ToParsableString(), placed[key]));
        Assert.Equal(3, placed.Values.Distinct().Count());
        if (primaryWeight is not null) // 4 / 6 of the keys expected on the primary
            Assert.True(placed.Values.Count(s => s == primary.ToParsableString()) > keys.Length / 2);
    }

    // Placement uses each silo's own view: wait until membership, the grain manifest and the weights agree everywhere.
    private static Task AllSilosSeeAllAsync(TestingCluster cluster, SiloAddress[] silos, double[] weights) =>
        Eventually.True(() => cluster.Silos.All(h =>
        {
            var services = h.ServiceProvider;
            var members = services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members;
            var manifest = services.GetRequiredService<IClusterManifestProvider>().Current.Silos;
            var director = new RendezvousPlacementDirector(services);
            return silos.Select((s, i) => members.TryGetValue(s, out var m) && m.Status == SiloStatus.Active
                && manifest.ContainsKey(s) && director.WeightOf(s) == weights[i]).All(ok => ok)
                && services.GetService<ISiloMetadataCache>() is not null;
        }), TimeSpan.FromSeconds(30), "every silo sees three active silos with their manifests and weights");
}
