using Heck.Grains.Replica;
using Heck.Health;
using Heck.Origins;
using Xunit;

namespace Heck.Tests.Origins;

public sealed class LocalReplicaTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static OriginView View(string id, HealthStatus status = HealthStatus.Unknown) =>
        new(new OriginSpec { Id = id, Url = "http://h/" }, HealthView.Initial(T0, "o") with { Status = status });

    private static HealthTransition T(HealthStatus to) => new(T0, HealthStatus.Unknown, to, "test");

    [Fact]
    public void Lists_sorted_and_filtered()
    {
        var r = new LocalReplica();
        r.Upsert(View("b", HealthStatus.Healthy));
        r.Upsert(View("a", HealthStatus.Unhealthy));
        r.Upsert(View("c", HealthStatus.Healthy));
        Assert.Equal(["a", "b", "c"], r.List(null).Select(v => v.Spec.Id));
        Assert.Equal(["b", "c"], r.List(HealthStatus.Healthy).Select(v => v.Spec.Id));
    }

    [Fact]
    public void Health_of_a_removed_origin_does_not_bring_it_back()
    {
        var r = new LocalReplica();
        r.Upsert(View("a"));
        Assert.True(r.Remove("a"));
        r.UpdateHealth("a", HealthView.Initial(T0, "o") with { Status = HealthStatus.Healthy });
        Assert.Null(r.Get("a"));
    }

    [Fact]
    public void A_new_watcher_sees_only_later_transitions()
    {
        var r = new LocalReplica();
        r.RecordTransition("a", T(HealthStatus.Healthy));
        var start = r.TransitionsAfter(-1, 100);
        Assert.Empty(start.Events);
        r.RecordTransition("b", T(HealthStatus.Unhealthy));
        var page = r.TransitionsAfter(start.Next, 100);
        var e = Assert.Single(page.Events);
        Assert.Equal("b", e.OriginId);
        Assert.Empty(r.TransitionsAfter(page.Next, 100).Events);
    }

    [Fact]
    public void A_watcher_from_an_empty_log_misses_nothing()
    {
        var r = new LocalReplica();
        var start = r.TransitionsAfter(-1, 100);
        r.RecordTransition("a", T(HealthStatus.Healthy));
        Assert.Single(r.TransitionsAfter(start.Next, 100).Events);
    }

    [Fact]
    public void Pages_are_bounded_and_a_slow_watcher_skips_what_was_overwritten()
    {
        var r = new LocalReplica();
        for (var i = 0; i < LocalReplica.TransitionLogCapacity + 50; i++) r.RecordTransition($"o{i}", T(HealthStatus.Healthy));
        var page = r.TransitionsAfter(0, 10);
        Assert.Equal(10, page.Events.Count);
        Assert.Equal(51, page.Events[0].Sequence); // 1..50 were overwritten
        Assert.Equal(page.Events[^1].Sequence, page.Next);
    }

    [Fact]
    public void A_position_from_before_a_restart_starts_again_from_now()
    {
        var r = new LocalReplica();
        r.RecordTransition("a", T(HealthStatus.Healthy));
        var page = r.TransitionsAfter(5000, 10);
        Assert.Empty(page.Events);
        Assert.Equal(1, page.Next);
    }
}
