using Heck.Grains.Origins;
using Heck.Origins;
using Heck.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Xunit;

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
}
