using Heck.Grains.Replica;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Heck.Tests.Origins;

public sealed class LocalReplicaTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private readonly List<TempDirectory> _dirs = [];

    public void Dispose()
    {
        foreach (var d in _dirs) d.Dispose();
    }

    private sealed class FakeSilo(int port, int generation) : ILocalSiloDetails
    {
        public string Name => $"silo{port}";
        public string ClusterId => "test";
        public string DnsHostName => "localhost";
        public SiloAddress SiloAddress { get; } = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), generation);
        public SiloAddress GatewayAddress => SiloAddress;
    }

    private LocalReplica NewReplica(int port = 11111, string? dir = null, int generation = 1)
    {
        if (dir is null)
        {
            var temp = new TempDirectory();
            _dirs.Add(temp);
            dir = temp.Path;
        }
        return new LocalReplica(new FakeSilo(port, generation), new RegistryJournal(dir, Serializer), TimeProvider.System, NullLogger<LocalReplica>.Instance);
    }

    private static OriginSpec Spec(string id) => new() { Id = id, Url = "http://h/" };

    private static HealthView Health(HealthStatus status) => HealthView.Initial(T0, "o") with { Status = status };

    private static HealthTransition T(HealthStatus to) => new(T0, HealthStatus.Unknown, to, "test");

    [Fact]
    public void Lists_sorted_and_filtered_by_derived_health()
    {
        var r = NewReplica();
        foreach (var id in new[] { "b", "a", "c" }) Assert.True(r.Upsert(Spec(id)));
        Assert.False(r.Upsert(Spec("a") with { IntervalMs = 20_000 }));
        r.RecordHealth("b", Health(HealthStatus.Healthy), null);
        r.RecordHealth("a", Health(HealthStatus.Unhealthy), null);
        r.RecordHealth("c", Health(HealthStatus.Healthy), null);
        Assert.Equal(["a", "b", "c"], r.List(null).Select(v => v.Spec.Id));
        Assert.Equal(["b", "c"], r.List(HealthStatus.Healthy).Select(v => v.Spec.Id));
        Assert.Equal(20_000, r.Get("a")!.Spec.IntervalMs);
        Assert.Equal(r.Self.ToString(), r.Get("a")!.ObservedBy);
    }

    [Fact]
    public void Health_of_a_removed_origin_does_not_bring_it_back()
    {
        var r = NewReplica();
        r.Upsert(Spec("a"));
        Assert.True(r.Remove("a"));
        Assert.False(r.Remove("a"));
        r.RecordHealth("a", Health(HealthStatus.Healthy), null);
        Assert.Null(r.Get("a"));
        Assert.Empty(r.List(null));
    }

    [Fact]
    public void Another_replica_learns_specs_health_and_transitions_from_a_delta()
    {
        var a = NewReplica(11111);
        var b = NewReplica(11112);
        a.Upsert(Spec("x"));
        a.RecordHealth("x", Health(HealthStatus.Healthy), T(HealthStatus.Healthy));
        var start = b.TransitionsAfter(-1, 10);

        b.Apply(a.DeltaSince(b.Version));
        var view = b.Get("x")!;
        Assert.Equal(HealthStatus.Healthy, view.Health.Status);
        Assert.Equal(a.Self.ToString(), view.ObservedBy);
        Assert.NotNull(view.ReplicatedAt);
        var e = Assert.Single(b.TransitionsAfter(start.Next, 10).Events);
        Assert.Equal(("x", HealthStatus.Healthy), (e.OriginId, e.Transition.To));

        // Applying the same delta again changes nothing and logs nothing twice.
        b.Apply(a.DeltaSince(VersionVector.Empty));
        Assert.Single(b.TransitionsAfter(start.Next, 10).Events);
        Assert.True(a.DeltaSince(b.Version).IsEmpty);
    }

    [Fact]
    public void The_registry_survives_a_restart_through_the_journal()
    {
        var dir = new TempDirectory();
        _dirs.Add(dir);
        var first = NewReplica(dir: dir.Path, generation: 1);
        first.Upsert(Spec("kept"));
        first.Upsert(Spec("gone"));
        first.Remove("gone");
        var remote = NewReplica(11112);
        remote.Upsert(Spec("from-peer"));
        first.Apply(remote.DeltaSince(first.Version));

        var second = NewReplica(dir: dir.Path, generation: 2);
        Assert.Equal(["from-peer", "kept"], second.LiveIds.Order(StringComparer.Ordinal));
        // A write after the restart wins over what was journalled before it.
        second.Upsert(Spec("kept") with { IntervalMs = 30_000 });
        Assert.Equal(30_000, second.Spec("kept")!.IntervalMs);
    }

    [Fact]
    public void A_restarted_replica_shows_the_last_verdict_with_its_age_and_resumes_from_it_while_fresh()
    {
        var dir = new TempDirectory();
        _dirs.Add(dir);
        var first = NewReplica(dir: dir.Path, generation: 1);
        first.Upsert(Spec("web") with { IntervalMs = 1000 });
        first.RecordHealth("web", Health(HealthStatus.Healthy), null);
        first.StampActive();
        var observedAt = first.Get("web")!.ObservedAt!.Value;

        // Same process or not: a new generation opens the same journal and has no health of its own yet.
        var second = NewReplica(dir: dir.Path, generation: 2);
        var shown = new Heck.Grains.Origins.OriginReads(second, TimeProvider.System).Get("web")!;
        Assert.Equal(HealthStatus.Healthy, shown.Health.Status);
        Assert.Equal(observedAt, shown.ObservedAt);
        Assert.NotNull(shown.Health.AgeMs);
        Assert.Equal(HealthStatus.Healthy, second.RememberedVerdict("web", 1000, DateTimeOffset.UtcNow)?.Status);

        // Old: shown stale, with its age, and no new owner resumes from it.
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(observedAt.AddMinutes(1));
        var old = new Heck.Grains.Origins.OriginReads(second, later).Get("web")!;
        Assert.Equal(HealthStatus.Unknown, old.Health.Status);
        Assert.True(old.Health.Stale);
        Assert.Equal(60_000, old.Health.AgeMs);
        Assert.Null(second.RememberedVerdict("web", 1000, observedAt.AddMinutes(1)));

        // A re-added origin (a new registry generation) does not inherit it.
        second.Remove("web");
        second.Upsert(Spec("web") with { IntervalMs = 1000 });
        Assert.Equal(HealthStatus.Unknown, second.Get("web")!.Health.Status);
        Assert.Null(second.RememberedVerdict("web", 1000, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_new_watcher_sees_only_later_transitions()
    {
        var r = NewReplica();
        r.Upsert(Spec("a"));
        r.Upsert(Spec("b"));
        r.RecordHealth("a", Health(HealthStatus.Healthy), T(HealthStatus.Healthy));
        var start = r.TransitionsAfter(-1, 100);
        Assert.Empty(start.Events);
        r.RecordHealth("b", Health(HealthStatus.Unhealthy), T(HealthStatus.Unhealthy));
        var page = r.TransitionsAfter(start.Next, 100);
        Assert.Equal("b", Assert.Single(page.Events).OriginId);
        Assert.Empty(r.TransitionsAfter(page.Next, 100).Events);
    }

    [Fact]
    public void Pages_are_bounded_and_a_slow_watcher_skips_what_was_overwritten()
    {
        var r = NewReplica();
        r.Upsert(Spec("a"));
        for (var i = 0; i < LocalReplica.TransitionLogCapacity + 50; i++)
            r.RecordHealth("a", Health(HealthStatus.Healthy), T(HealthStatus.Healthy));
        var page = r.TransitionsAfter(0, 10);
        Assert.Equal(10, page.Events.Count);
        Assert.Equal(51, page.Events[0].Sequence); // 1..50 were overwritten
        Assert.Equal(page.Events[^1].Sequence, page.Next);
        var restarted = r.TransitionsAfter(long.MaxValue, 10);
        Assert.Empty(restarted.Events);
        Assert.Equal(LocalReplica.TransitionLogCapacity + 50, restarted.Next);
    }

    [Fact]
    public void A_watcher_sees_a_handoff_in_causal_order_and_nothing_before_the_registration()
    {
        var before = NewReplica(11111);
        var after = NewReplica(11112);
        var watcher = NewReplica(11113);
        before.Upsert(Spec("x"));
        before.RecordHealth("x", Health(HealthStatus.Unhealthy), T(HealthStatus.Unhealthy));
        after.Apply(before.DeltaSince(after.Version));
        after.RecordHealth("x", Health(HealthStatus.Healthy), T(HealthStatus.Healthy));
        var start = watcher.TransitionsAfter(-1, 10).Next;

        // The new owner's record comes first, alone: x is not registered here yet, so nothing is shown.
        var record = after.State.Health.Get("x", after.Self)!;
        watcher.Apply(new Delta([], [record], VersionVector.Empty, VersionVector.Empty));
        Assert.Empty(watcher.TransitionsAfter(start, 10).Events);

        // Then the registration and the old owner's record: shown oldest first, with their stamps.
        watcher.Apply(before.DeltaSince(watcher.Version));
        var events = watcher.TransitionsAfter(start, 10).Events;
        Assert.Equal([HealthStatus.Unhealthy, HealthStatus.Healthy], events.Select(e => e.Transition.To));
        Assert.True(events[0].Stamp < events[1].Stamp);
        Assert.Equal(after.Self, events[1].Stamp.Dot.Replica);
        Assert.Equal(events.Select(e => e.Stamp), watcher.TransitionsOf("x")!.Select(t => t.Stamp));
        Assert.Null(watcher.TransitionsOf("unknown"));
    }

    [Fact]
    public void An_older_transition_arriving_after_a_newer_one_is_not_shown()
    {
        var before = NewReplica(11111);
        var after = NewReplica(11112);
        var watcher = NewReplica(11113);
        before.Upsert(Spec("x"));
        watcher.Apply(before.DeltaSince(watcher.Version));
        before.RecordHealth("x", Health(HealthStatus.Unhealthy), T(HealthStatus.Unhealthy));
        after.Apply(before.DeltaSince(after.Version));
        after.RecordHealth("x", Health(HealthStatus.Healthy), T(HealthStatus.Healthy));
        var start = watcher.TransitionsAfter(-1, 10).Next;

        watcher.Apply(new Delta([], [after.State.Health.Get("x", after.Self)!], VersionVector.Empty, VersionVector.Empty));
        watcher.Apply(before.DeltaSince(watcher.Version));
        // Shown last, the old owner's unhealthy would leave the watcher believing x is down.
        Assert.Equal([HealthStatus.Healthy], watcher.TransitionsAfter(start, 10).Events.Select(e => e.Transition.To));
        Assert.Equal(1, watcher.LateTransitions);
    }
}
