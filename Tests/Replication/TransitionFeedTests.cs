using Heck.Health;

namespace Heck.Tests.Replication;

public sealed class TransitionFeedTests
{
    private static readonly ReplicaId A = new("10.0.0.1:11111", 1);
    private static readonly ReplicaId B = new("10.0.0.2:11111", 1);

    private static (ReplicaState, Delta) Observe(ReplicaState state, ReplicaId self, HlcClock clock, HealthStatus from, HealthStatus to)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(History.Epoch);
        var view = new HealthView { Status = to, Since = at, LastProbeAt = at, Owner = self.Address };
        return state.RecordHealth("o", view, new HealthTransition(at, from, to, $"{from}->{to}"), self, clock);
    }

    private static IReadOnlyList<StampedTransition> Advance(TransitionFeed feed, ref ReplicaState state, Delta delta)
    {
        var before = state;
        state = state.Apply(delta);
        return feed.Advance(before, state, delta.Specs.Select(e => e.Id).Concat(delta.Slots.Select(r => r.OriginId)));
    }

    [Fact]
    public void The_old_owners_transition_arriving_after_the_new_owners_is_dropped_and_counted()
    {
        var (clockA, clockB) = (new HlcClock(new ManualTime(History.Epoch + 50)), new HlcClock(new ManualTime(History.Epoch)));
        var (a, register) = ReplicaState.Empty.UpsertSpec(History.Spec("o", 0), A, clockA);
        (a, var down) = Observe(a, A, clockA, HealthStatus.Healthy, HealthStatus.Unhealthy);
        // The handoff: B has A's state (its clock is behind A's), then observes the recovery.
        var (b, up) = Observe(ReplicaState.Empty.Apply(a.DeltaSince(VersionVector.Empty)), B, clockB, HealthStatus.Unhealthy, HealthStatus.Healthy);

        var feed = new TransitionFeed();
        var watcher = ReplicaState.Empty;
        Assert.Empty(Advance(feed, ref watcher, register));
        Assert.Equal([HealthStatus.Healthy], Advance(feed, ref watcher, up).Select(t => t.Transition.To));
        Assert.Empty(Advance(feed, ref watcher, down));
        Assert.Equal(1, feed.Late);
        // The list is still complete and causal: the old owner's first.
        Assert.Equal([HealthStatus.Unhealthy, HealthStatus.Healthy], TransitionFeed.Current(watcher, "o").Select(t => t.Transition.To));
    }

    [Fact]
    public void A_transition_that_arrives_before_its_registration_waits_for_it()
    {
        var clock = new HlcClock(new ManualTime(History.Epoch));
        var (a, register) = ReplicaState.Empty.UpsertSpec(History.Spec("o", 0), A, clock);
        (_, var down) = Observe(a, A, clock, HealthStatus.Healthy, HealthStatus.Unhealthy);

        var feed = new TransitionFeed();
        var watcher = ReplicaState.Empty;
        Assert.Empty(Advance(feed, ref watcher, down));
        var shown = Advance(feed, ref watcher, register);
        Assert.Equal([HealthStatus.Unhealthy], shown.Select(t => t.Transition.To));
        Assert.Equal(register.Specs[0].Generation, shown[0].Stamp.Generation);
    }

    [Fact]
    public void A_removed_origin_is_forgotten_and_its_next_generation_is_shown()
    {
        var clock = new HlcClock(new ManualTime(History.Epoch));
        var feed = new TransitionFeed();
        var watcher = ReplicaState.Empty;
        var (a, d) = ReplicaState.Empty.UpsertSpec(History.Spec("o", 0), A, clock);
        Advance(feed, ref watcher, d);
        (a, d) = Observe(a, A, clock, HealthStatus.Unknown, HealthStatus.Healthy);
        Assert.Single(Advance(feed, ref watcher, d));
        (a, d) = a.RemoveSpec("o", A, clock);
        Assert.Empty(Advance(feed, ref watcher, d));
        Assert.Equal(0, feed.Tracked);
        (a, d) = a.UpsertSpec(History.Spec("o", 1), A, clock);
        Advance(feed, ref watcher, d);
        (_, d) = Observe(a, A, clock, HealthStatus.Unknown, HealthStatus.Degraded);
        Assert.Equal([HealthStatus.Degraded], Advance(feed, ref watcher, d).Select(t => t.Transition.To));
    }
}
