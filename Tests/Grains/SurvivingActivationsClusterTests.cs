using Heck.Grains.Origins;
using Heck.Origins;
using Heck.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Xunit;

namespace Heck.Tests.Grains;

/// <summary>
/// A silo's death moves only its own origins: the activations on the survivors stay, even those
/// whose grain-directory entry the dead silo held (Orleans' default directory deactivated them,
/// about a third of the survivors' origins here, leaving them unprobed until reconciled).
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class SurvivingActivationsClusterTests() : HeckClusterTest(3)
{
    private const int Origins = 30;

    [Fact]
    public async Task Killing_a_silo_deactivates_no_origin_on_the_survivors()
    {
        var ids = Enumerable.Range(0, Origins).Select(i => $"keep{i}").ToList();
        foreach (var id in ids)
        {
            Assert.Empty(OriginValidator.Validate(id, new OriginInput { Url = Target.Url($"/{id}"), IntervalMs = 60_000 }, out var spec));
            await Cluster.Client.GetGrain<IOriginGrain>(id).Configure(spec!);
        }
        var survivors = AllServices.Take(2).Select(s => s.GetRequiredService<LocalOrigins>()).ToList();
        var all = AllServices.Select(s => s.GetRequiredService<LocalOrigins>()).ToList();
        await Eventually.True(() => all.Sum(l => l.Count) == Origins && ids.All(id => all.Count(l => l.Contains(id)) == 1),
            TimeSpan.FromSeconds(20), "every origin active on exactly one silo");
        Assert.True(survivors.Sum(l => l.Count) >= 10, "enough origins on the survivors for the test to mean something");

        var lost = 0;
        foreach (var local in survivors) local.Lost += () => Interlocked.Increment(ref lost);
        var victim = Cluster.Silos[2].SiloAddress;
        await Cluster.KillSiloAsync(Cluster.Silos[2]);

        await Eventually.True(() => AllServices.Take(2).All(s =>
                s.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(victim) == SiloStatus.Dead),
            TimeSpan.FromSeconds(60), "the survivors declare the killed silo dead");
        await Eventually.True(() => ids.All(id => survivors.Any(l => l.Contains(id))), TimeSpan.FromSeconds(60),
            "the killed silo's origins taken over by the survivors");
        Assert.Equal(0, Volatile.Read(ref lost));
    }
}
