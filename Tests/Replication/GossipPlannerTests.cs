using Heck.Health;
using Heck.Replication;
using Xunit;

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
    public void Peers_that_left_the_live_set_are_forgotten()
    {
        var planner = new GossipPlanner(new Random(1));
        planner.Peers.Heard(B, VersionVector.Empty);
        planner.Peers.Heard(C, VersionVector.Empty);
        planner.Pick([B], p => p, 1);
        Assert.True(planner.Peers.TryGet(B, out _));
        Assert.False(planner.Peers.TryGet(C, out _));
    }

    [Fact]
    public void Nothing_is_pruned_while_a_live_peer_has_not_reported()
    {
        var planner = new GossipPlanner(new Random(1));
        planner.Peers.Heard(B, VersionVector.Empty);
        Assert.Null(planner.PlanPrune(A, ReplicaState.Empty, [B, C], [Dead]));
    }

    [Fact]
    public void Nothing_is_pruned_when_nobody_is_dead()
    {
        var planner = new GossipPlanner(new Random(1));
        planner.Peers.Heard(B, VersionVector.Empty);
        Assert.Null(planner.PlanPrune(A, ReplicaState.Empty, [B], []));
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
