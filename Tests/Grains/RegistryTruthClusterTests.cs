using Heck.Grains.Origins;
using Heck.Grains.Placement;
using Heck.Grains.Replica;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Heck.Tests.Grains;

/// <summary>
/// An active origin grain probes the registry's current spec (item 5 of issue 10). Two silos whose
/// gossip and reconciler are too slow to act within a test, so each case controls exactly what
/// each silo's replica holds and the grain's registry is the only thing that can steer it.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class RegistryTruthClusterTests() : HeckClusterTest(2,
    ("HeckTestGossipMs", "60000"), ("HeckTestReconcilePeriodMs", "600000"))
{
    private static OriginSpec Spec(string id, string url) =>
        OriginValidator.Validate(id, new OriginInput { Url = url, IntervalMs = 150, TimeoutMs = 100 }, out var s).Count == 0
            ? s! : throw new ArgumentException("bad spec");

    private SiloAddress[] Silos => Cluster.Silos.Select(s => s.SiloAddress).ToArray();

    private string IdOwnedBy(int silo, string prefix)
    {
        var director = Services(0).GetRequiredService<RendezvousPlacementDirector>();
        return Enumerable.Range(0, 200).Select(i => $"{prefix}{i}").First(i => director.Owner(i, Silos)!.Equals(Silos[silo]));
    }

    private LocalReplica Replica(int silo) => Services(silo).GetRequiredService<LocalReplica>();

    private LocalOrigins Local(int silo) => Services(silo).GetRequiredService<LocalOrigins>();

    /// <summary>Probes keep coming to <paramref name="path"/> no faster than before: at most one in flight when we looked.</summary>
    private async Task AssertNoMoreProbesAsync(string path)
    {
        var before = Target.Hits(path);
        await Task.Delay(TimeSpan.FromMilliseconds(1200)); // 8 intervals
        Assert.True(Target.Hits(path) <= before + 1, $"{path} still probed: {before} then {Target.Hits(path)} hits");
    }

    [Fact]
    public async Task A_grain_whose_origin_left_the_registry_stops_probing_and_deactivates()
    {
        var id = IdOwnedBy(0, "gone");
        await Cluster.Client.GetGrain<IOriginGrain>(id).Configure(Spec(id, Target.Url($"/{id}")));
        await Eventually.True(() => Target.Hits($"/{id}") >= 2, TimeSpan.FromSeconds(10), "probed");

        // The tombstone arrives the way gossip brings it: straight into the replica, not through the grain.
        Assert.True(Replica(0).Remove(id));

        await Eventually.True(() => !Local(0).Contains(id), TimeSpan.FromSeconds(10), "the grain stopped probing");
        await AssertNoMoreProbesAsync($"/{id}");
    }

    [Fact]
    public async Task An_edit_that_reaches_the_replica_first_is_probed_at_the_next_probe()
    {
        var id = IdOwnedBy(0, "edit");
        var grain = Cluster.Client.GetGrain<IOriginGrain>(id);
        await grain.Configure(Spec(id, Target.Url($"/{id}-a")));
        await Eventually.True(() => Target.Hits($"/{id}-a") >= 2, TimeSpan.FromSeconds(10), "a probed");

        // An edit accepted elsewhere and merged here; then a PUT of the same spec, which changes nothing.
        var edited = Spec(id, Target.Url($"/{id}-b"));
        Replica(0).Upsert(edited);
        await Eventually.True(() => Target.Hits($"/{id}-b") >= 2, TimeSpan.FromSeconds(10), "b probed after the edit");
        await AssertNoMoreProbesAsync($"/{id}-a");
        var result = await grain.Configure(edited);
        Assert.Equal(edited, result.View!.Spec);
    }

    [Fact]
    public async Task A_migration_brings_its_newer_spec_and_cannot_revive_a_removed_origin()
    {
        // The owner's replica holds an older spec; the activation arrives from silo 0 with a newer one.
        var id = IdOwnedBy(1, "moved");
        Replica(1).Upsert(Spec(id, Target.Url($"/{id}-old")));
        var grain = Cluster.Client.GetGrain<IOriginGrain>(id);
        await ActivateOnSilo0(grain, Spec(id, Target.Url($"/{id}-new")));

        await grain.Handoff();
        await Eventually.True(() => Local(1).Contains(id) && !Local(0).Contains(id), TimeSpan.FromSeconds(10), "moved to its owner");
        var hitsBefore = Target.Hits($"/{id}-new");
        await Eventually.True(() => Target.Hits($"/{id}-new") >= hitsBefore + 3, TimeSpan.FromSeconds(10), "the new spec probed by the owner");
        Assert.Equal(0, Target.Hits($"/{id}-old"));
        Assert.Equal(Target.Url($"/{id}-new"), Replica(1).Spec(id)!.Url);

        // And the other way: the owner's replica knows the origin was removed after the spec the activation carries.
        var removed = IdOwnedBy(1, "removed");
        var removedGrain = Cluster.Client.GetGrain<IOriginGrain>(removed);
        await ActivateOnSilo0(removedGrain, Spec(removed, Target.Url($"/{removed}")));
        Replica(1).Apply(Replica(0).DeltaSince(Replica(1).Version));
        Assert.True(Replica(1).Remove(removed));

        await removedGrain.Handoff();
        await Eventually.True(() => !Local(0).Contains(removed), TimeSpan.FromSeconds(10), "left silo 0");
        await AssertNoMoreProbesAsync($"/{removed}");
        Assert.False(Local(1).Contains(removed));
        Assert.Null(Replica(1).Spec(removed));
    }

    /// <summary>Configures the origin through an activation placed on silo 0, which does not own it.</summary>
    private async Task ActivateOnSilo0(IOriginGrain grain, OriginSpec spec)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, Silos[0]);
        try { await grain.Configure(spec); }
        finally { RequestContext.Remove(IPlacementDirector.PlacementHintKey); }
        var id = grain.GetPrimaryKeyString();
        Assert.True(Local(0).Contains(id), "placed on silo 0 by the hint");
        await Eventually.True(() => Target.Hits(new Uri(spec.Url).AbsolutePath) >= 1, TimeSpan.FromSeconds(10), "probed from silo 0");
    }
}
