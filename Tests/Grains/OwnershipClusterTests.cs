using Heck.Grains.Origins;
using Heck.Grains.Placement;
using Heck.Grains.Replica;
using Orleans.Runtime;

namespace Heck.Tests.Grains;

/// <summary>Ownership across 3–4 silos: spread, exclusive probing, movement on leave and join.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class OwnershipClusterTests() : HeckClusterTest(3, ("HeckTestGossipMs", "50"))
{
    private const int Origins = 30;

    private List<(SiloAddress Address, IServiceProvider Services)> Silos =>
        Handles.Select(s => (s.SiloAddress, s.SiloHost.Services)).ToList();

    /// <summary>Origin id → the silos with a probing activation of it.</summary>
    private Dictionary<string, List<SiloAddress>> Placement()
    {
        var placement = new Dictionary<string, List<SiloAddress>>();
        foreach (var (address, services) in Silos)
            foreach (var id in services.GetRequiredService<LocalOrigins>().Snapshot())
                (placement.TryGetValue(id, out var list) ? list : placement[id] = []).Add(address);
        return placement;
    }

    private Dictionary<string, SiloAddress> Predicted()
    {
        var silos = Silos.Select(s => s.Address).ToArray();
        var director = Silos[0].Services.GetRequiredService<RendezvousPlacementDirector>();
        return Enumerable.Range(0, Origins).Select(i => $"own{i}").ToDictionary(id => id, id => director.Owner(id, silos)!);
    }

    /// <summary>Origins not active on exactly their predicted owner, described; empty when all are.</summary>
    private Task<string> MisplacedAsync()
    {
        var placement = Placement();
        var wrong = Predicted()
            .Where(p => !(placement.TryGetValue(p.Key, out var at) && at.Count == 1 && at[0].Equals(p.Value)))
            .Select(p => $"{p.Key}: predicted {p.Value}, active on [{string.Join(", ", placement.GetValueOrDefault(p.Key) ?? [])}], " +
                         $"spec known on [{string.Join(", ", Silos.Where(s => s.Services.GetRequiredService<LocalReplica>().Spec(p.Key) is not null).Select(s => s.Address))}]");
        return Task.FromResult(string.Join("; ", wrong));
    }

    private Task PlacedAsPredicted(string what, int seconds) =>
        Eventually.Until(MisplacedAsync, m => m.Length == 0, TimeSpan.FromSeconds(seconds), what);

    private async Task RegisterAsync(int intervalMs)
    {
        for (var i = 0; i < Origins; i++)
        {
            OriginValidator.Validate($"own{i}", new OriginInput { Url = Target.Url($"/own{i}"), IntervalMs = intervalMs }, out var spec);
            await Cluster.Client.GetGrain<IOriginGrain>($"own{i}").Configure(spec!);
        }
    }

    [Fact]
    public async Task Each_origin_is_probed_by_its_rendezvous_owner_only_once_per_interval()
    {
        await RegisterAsync(intervalMs: 500);
        await PlacedAsPredicted("every origin active on its predicted owner only", 15);
        Assert.All(Silos, s => Assert.True(s.Services.GetRequiredService<LocalOrigins>().Count > 0, $"{s.Address} owns nothing"));

        // Count at the target: over a 3 s window each origin is probed about 6 times. Two probers
        // would give about 12; the lower bound only says it is still probed, since a starved test
        // host (2 cores, other tests) delays every timer alike. The upper bound follows the window
        // as it really was (a starved host also stretches the delay), plus one probe either side.
        var before = Enumerable.Range(0, Origins).Select(i => Target.Hits($"/own{i}")).ToArray();
        var window = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(3000);
        var counts = Enumerable.Range(0, Origins).Select(i => Target.Hits($"/own{i}") - before[i]).ToArray();
        var most = (int)Math.Ceiling(window.Elapsed.TotalMilliseconds / 500) + 2;
        Assert.All(counts, c => Assert.InRange(c, 2, most));
    }

    [Fact]
    public async Task A_stopped_silo_hands_over_exactly_its_origins_and_a_new_silo_takes_about_a_third()
    {
        await RegisterAsync(intervalMs: 1000);
        await PlacedAsPredicted("placed", 15);
        var initial = Placement().ToDictionary(p => p.Key, p => p.Value.Single());

        var leaving = Cluster.Silos[2];
        await Cluster.StopSiloAsync(leaving);
        await PlacedAsPredicted("re-placed after the stop", 45);
        var afterLeave = Placement().ToDictionary(p => p.Key, p => p.Value.Single());
        var moved = initial.Where(p => !afterLeave[p.Key].Equals(p.Value)).Select(p => p.Key).ToHashSet();
        Assert.Equal(initial.Where(p => p.Value.Equals(leaving.SiloAddress)).Select(p => p.Key).ToHashSet(), moved);

        await Cluster.StartAdditionalSiloAsync();
        await PlacedAsPredicted("re-placed after the join", 45);
        var afterJoin = Placement().ToDictionary(p => p.Key, p => p.Value.Single());
        var joiner = Cluster.Silos.Last().SiloAddress;
        var movedOnJoin = afterLeave.Where(p => !afterJoin[p.Key].Equals(p.Value)).ToList();
        Assert.All(movedOnJoin, p => Assert.Equal(joiner, afterJoin[p.Key])); // only to the joiner
        // About 1/3 of 30 moves: the count is Binomial(30, 1/3) over random silo generations, so
        // 16 happens in ~2 % of runs; 1..20 fails by chance in under 1 in 10^5 yet still catches a
        // join that moves nothing or nearly everything. Balance itself is tested on the pure director.
        Assert.InRange(movedOnJoin.Count, 1, 20);
    }
}
