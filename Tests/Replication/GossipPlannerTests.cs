namespace Heck.Tests.Replication;

/// <summary>Whom a replica gossips with, and what it may prune.</summary>
public sealed class GossipPlannerTests
{
    private static readonly ReplicaId A = new("10.0.0.1:11111", 1), B = new("10.0.0.2:11111", 1),
        C = new("10.0.0.3:11111", 1), Dead = new("10.0.0.4:11111", 1);

    private static readonly HlcClock Clock = new(TimeProvider.System);

    [Fact]
    public void Picks_distinct_live_peers_up_to_the_fanout_and_skips_those_in_flight()
    {
        var planner = new GossipPlanner(new Random(7));
        var live = new[] { "p1", "p2", "p3", "p4", "p5" };
        for (var round = 0; round < 50; round++)
        {
            var picked = planner.Pick(live, p => new ReplicaId(p, 1), 3, except: new HashSet<string> { "p2" });
            Assert.Equal(3, picked.Count);
            Assert.Equal(3, picked.Distinct().Count());
            Assert.DoesNotContain("p2", picked);
            Assert.All(picked, p => Assert.Contains(p, live));
        }
        Assert.Equal(2, planner.Pick(["p1", "p2"], p => new ReplicaId(p, 1), 3).Count);
        Assert.Empty(planner.Pick(Array.Empty<string>(), p => new ReplicaId(p, 1), 3));
    }

    [Fact]
    public void Every_live_peer_is_picked_sooner_or_later()
    {
        var planner = new GossipPlanner(new Random(11));
        var live = Enumerable.Range(1, 10).Select(i => $"p{i}").ToArray();
        var seen = new HashSet<string>();
        for (var round = 0; round < 100; round++) seen.UnionWith(planner.Pick(live, p => new ReplicaId(p, 1), 1));
        Assert.Equal(live.Length, seen.Count);
    }

    [Fact]
    public void Peers_that_left_are_waited_for_until_a_newer_generation_is_back_or_the_retention_passes()
    {
        var time = new ManualTime(History.Epoch);
        var planner = new GossipPlanner(new Random(1), time, TimeSpan.FromSeconds(10));
        var c2 = C with { Generation = 2 };
        planner.Peers.Heard(B, VersionVector.Empty);
        planner.Peers.Heard(C, VersionVector.Empty);
        planner.Track(A, [B]);
        Assert.True(planner.Peers.TryGet(C, out _)); // departed, not gone: it may restart on its journal
        Assert.Contains(C, planner.Departed.Keys);

        planner.Track(A, [B, c2]); // C's next generation loaded C's journal
        Assert.False(planner.Peers.TryGet(C, out _));
        Assert.Empty(planner.Departed);

        planner.Track(A, [c2]);
        Assert.Contains(B, planner.Departed.Keys);
        time.Advance(9_999);
        planner.Track(A, [c2]);
        Assert.True(planner.Peers.TryGet(B, out _));
        time.Advance(1);
        planner.Track(A, [c2]);
        Assert.False(planner.Peers.TryGet(B, out _));
        Assert.Empty(planner.Departed);
    }

    [Fact]
    public void A_tombstone_waits_for_a_departed_replica_that_has_not_seen_it()
    {
        var time = new ManualTime(History.Epoch);
        var planner = new GossipPlanner(new Random(1), time, TimeSpan.FromSeconds(10));
        var (state, _) = ReplicaState.Empty.UpsertSpec(History.Spec("o", 0), A, Clock);
        planner.Peers.Heard(B, state.Version);
        planner.Peers.Heard(C, state.Version); // C saw the origin, then went down
        (state, var removal) = state.RemoveSpec("o", A, Clock);
        var tombstone = removal.Specs[0].Dot;
        planner.Peers.Heard(B, state.Version);
        for (var round = 0; round < 4; round++)
        {
            var plan = planner.PlanPrune(A, state, [B], [])!;
            Assert.True(plan.Frontier.Contains(tombstone) || round < 2);
            Assert.False(plan.Tombstones.Contains(tombstone));
        }
        time.Advance(10_000); // C is forgotten: a journal that old is not trusted
        for (var round = 0; round < 3; round++) planner.PlanPrune(A, state, [B], []);
        Assert.True(planner.PlanPrune(A, state, [B], [])!.Tombstones.Contains(tombstone));
    }

    [Fact]
    public void Peers_of_the_previous_run_hold_every_tombstone_until_they_are_back()
    {
        var planner = new GossipPlanner(new Random(1), new ManualTime(History.Epoch), TimeSpan.FromSeconds(10));
        var (state, _) = ReplicaState.Empty.UpsertSpec(History.Spec("o", 0), A, Clock);
        (state, var removal) = state.RemoveSpec("o", A, Clock);
        planner.Expect([B]); // from the journal; never heard from in this run
        for (var round = 0; round < 3; round++) Assert.True(planner.PlanPrune(A, state, [], [])!.Tombstones.IsEmpty);
        var b2 = B with { Generation = 2 };
        planner.Peers.Heard(b2, state.Version);
        for (var round = 0; round < 3; round++) planner.PlanPrune(A, state, [b2], []);
        Assert.True(planner.PlanPrune(A, state, [b2], [])!.Tombstones.Contains(removal.Specs[0].Dot));
    }

    [Fact]
    public void Vector_entries_of_replicas_neither_live_nor_waited_for_may_go()
    {
        var planner = new GossipPlanner(new Random(1));
        var (state, _) = ReplicaState.Empty.UpsertSpec(History.Spec("o", 0), Dead, Clock);
        (state, _) = state.RemoveSpec("o", Dead, Clock);
        planner.Peers.Heard(B, state.Version);
        var plan = planner.PlanPrune(A, state, [B], [])!;
        Assert.Equal([Dead], plan.Forget);
        Assert.Contains(Dead, state.Forget(plan.Forget).Version.Replicas); // its tombstone is still held
        var pruned = state.Prune(plan.Dead, VersionVector.Empty.Merge(state.Version), state.Version);
        Assert.Null(pruned.Registry.Get("o"));
        Assert.DoesNotContain(Dead, pruned.Forget(plan.Forget).Version.Replicas);
    }

    [Fact]
    public void Nothing_is_pruned_while_a_live_peer_has_not_reported()
    {
        var planner = new GossipPlanner(new Random(1));
        planner.Peers.Heard(B, VersionVector.Empty);
        Assert.Null(planner.PlanPrune(A, ReplicaState.Empty, [B, C], [Dead]));
    }

    [Fact]
    public void No_slot_is_pruned_when_nobody_is_dead()
    {
        var planner = new GossipPlanner(new Random(1));
        planner.Peers.Heard(B, VersionVector.Empty);
        Assert.Empty(planner.PlanPrune(A, ReplicaState.Empty, [B], [])!.Dead);
    }

    [Fact]
    public void A_dead_generation_keeps_its_slot_while_it_is_an_origins_only_health()
    {
        // Origin "only" has health from the dead generation alone; "both" also from A.
        var (state, _) = ReplicaState.Empty.UpsertSpec(History.Spec("only", 0), A, Clock);
        (state, _) = state.UpsertSpec(History.Spec("both", 0), A, Clock);
        var health = HealthView.Initial(DateTimeOffset.UnixEpoch, owner: null);
        (state, _) = state.RecordHealth("only", health, null, Dead, Clock);
        (state, _) = state.RecordHealth("both", health, null, Dead, Clock);
        (state, _) = state.RecordHealth("both", health, null, A, Clock);

        var planner = new GossipPlanner(new Random(1));
        planner.Peers.Heard(B, state.Version);
        var plan = planner.PlanPrune(A, state, [B], [Dead]);
        Assert.NotNull(plan);
        Assert.Empty(plan.Dead); // Dead's slot is "only"'s only health: it stays

        var (withOwner, _) = state.RecordHealth("only", health, null, B, Clock);
        planner.Peers.Heard(B, withOwner.Version);
        plan = planner.PlanPrune(A, withOwner, [B], [Dead]);
        Assert.NotNull(plan);
        Assert.Equal([Dead], plan.Dead);
    }
}
