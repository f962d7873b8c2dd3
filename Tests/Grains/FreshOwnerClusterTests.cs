using Heck.Grains.Placement;
using Heck.Grains.Replica;

namespace Heck.Tests.Grains;

/// <summary>
/// An owner that started an origin fresh (no health in its replica yet, as on a silo restarted on
/// its old data) and then hears of another owner's verdict continues from that verdict instead of
/// publishing "unknown" over it until its own healthy threshold is met.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class FreshOwnerClusterTests() : HeckClusterTest(2, ("HeckTestGossipMs", "50"))
{
    [Fact]
    public async Task A_fresh_owner_continues_from_the_verdict_another_owner_left()
    {
        var silos = Cluster.Silos.Select(s => s.SiloAddress).ToArray();
        var director = Services(0).GetRequiredService<RendezvousPlacementDirector>();
        var id = Enumerable.Range(0, 100).Select(i => $"fresh{i}").First(i => director.Owner(i, silos)!.Equals(silos[1]));
        // 50 successes in a row before this owner would call it healthy by itself: 15 s at 300 ms,
        // well beyond the 10 s this test waits for the carried-on verdict.
        OriginValidator.Validate(id, new OriginInput { Url = Target.Url($"/{id}"), IntervalMs = 300, HealthyThreshold = 50 }, out var spec);
        await Cluster.Client.GetGrain<IOriginGrain>(id).Configure(spec!);

        var (other, owner) = (Services(0).GetRequiredService<LocalReplica>(), Services(1).GetRequiredService<LocalReplica>());
        await Eventually.True(() => Target.Hits($"/{id}") >= 2 && other.Spec(id) is not null, TimeSpan.FromSeconds(15), "probed by its owner, spec replicated");
        Assert.Equal(HealthStatus.Unknown, owner.Get(id)!.Health.Status);

        // The other silo records a verdict as an owner would have (say, before a restart moved the origin).
        var now = DateTimeOffset.UtcNow;
        other.RecordHealth(id, new HealthView { Status = HealthStatus.Healthy, Since = now, LastProbeAt = now, Owner = silos[0].ToString(), ConsecutiveSuccesses = 7 }, null);

        // Within a few probes the owner's own record carries the verdict on, long before 50 successes.
        var ownSlot = LocalReplica.IdOf(silos[1]);
        await Eventually.True(
            () => owner.State.Health.Slots(id).GetValueOrDefault(ownSlot)?.Health.Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(10), "the owner's own record says healthy");
        var view = owner.Get(id)!;
        Assert.Equal(HealthStatus.Healthy, view.Health.Status);
        Assert.True(view.Health.ConsecutiveSuccesses > 7, $"continued from the verdict's run of successes (was {view.Health.ConsecutiveSuccesses})");
    }
}
