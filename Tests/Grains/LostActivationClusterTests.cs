using Heck.Grains.Origins;
using Orleans.Core.Internal;

namespace Heck.Tests.Grains;

/// <summary>
/// An origin's activation that goes away on its own — as when Orleans deactivates activations whose
/// directory entry a dead silo held — is activated again at once, not at the reconciler's next
/// periodic pass (set to ten minutes here, so only the prompt path can pass the test).
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class LostActivationClusterTests() : HeckClusterTest(2, ("HeckTestReconcilePeriodMs", "600000"))
{
    [Fact]
    public async Task A_lost_origin_activation_is_activated_again_and_probing_resumes()
    {
        var input = new OriginInput { Url = Target.Url("/lost"), IntervalMs = 200 };
        Assert.Empty(OriginValidator.Validate("lost", input, out var spec));
        var origin = Cluster.Client.GetGrain<IOriginGrain>("lost");
        await origin.Configure(spec!);
        await Eventually.True(() => Target.Hits("/lost") >= 2, TimeSpan.FromSeconds(15), "probed");
        var owner = Handles
            .Single(s => s.SiloHost.Services.GetRequiredService<LocalOrigins>().Contains("lost"))
            .SiloHost.Services.GetRequiredService<LocalOrigins>();

        // Hits counted when the old activation has stopped its timer: later ones come from a new activation.
        var hitsWhenLost = -1;
        owner.Lost += () => Interlocked.CompareExchange(ref hitsWhenLost, Target.Hits("/lost"), -1);
        await origin.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.True(() => Volatile.Read(ref hitsWhenLost) >= 0, TimeSpan.FromSeconds(10), "the activation went away");
        await Eventually.True(() => owner.Contains("lost") && Target.Hits("/lost") >= hitsWhenLost + 2, TimeSpan.FromSeconds(15),
            "activated again on its owner and probing");
    }

    [Fact]
    public async Task A_probing_activation_whose_entry_went_missing_is_counted_again_at_the_next_pass()
    {
        // While the directory settles, a duplicate activation that deactivates could take the entry
        // of the activation that stays. The reconciler then finds no local activation and asks the
        // origin again; the live activation must say it is here, or the origin looks unowned for ever.
        var input = new OriginInput { Url = Target.Url("/kept"), IntervalMs = 200 };
        Assert.Empty(OriginValidator.Validate("kept", input, out var spec));
        await Cluster.Client.GetGrain<IOriginGrain>("kept").Configure(spec!);
        await Eventually.True(() => Target.Hits("/kept") >= 2, TimeSpan.FromSeconds(15), "probed");
        var owner = Handles
            .Single(s => s.SiloHost.Services.GetRequiredService<LocalOrigins>().Contains("kept"))
            .SiloHost.Services.GetRequiredService<LocalOrigins>();

        owner.Remove("kept");
        owner.MarkLost("other", new object()); // only to start a reconciler pass now
        await Eventually.True(() => owner.Contains("kept"), TimeSpan.FromSeconds(15), "the live activation is counted again");
    }

    [Fact]
    public void An_activation_removes_only_its_own_entry()
    {
        var local = new LocalOrigins();
        object stale = new(), live = new();
        local.Add("o", stale);
        local.Add("o", live);
        local.Remove("o", stale);
        Assert.True(local.Contains("o"));
        local.MarkLost("o", stale);
        Assert.True(local.Contains("o"));
        local.Remove("o", live);
        Assert.False(local.Contains("o"));
    }
}
