using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Microsoft.Extensions.Time.Testing;
using static Heck.Tests.Membership.CoreHarness;

namespace Heck.Tests.Membership;

public class SwimCoreTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Defaults_are_the_fast_profile_and_every_profile_is_valid_with_dynamic_suspicion_on()
    {
        var s = new SwimSettings();
        Assert.Equal(SwimProfiles.Fast, s);
        Assert.Equal(TimeSpan.FromMilliseconds(400), s.ProbeInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(200), s.ProbeTimeout);
        Assert.Equal(3, s.SuspicionMult);
        Assert.Equal(TimeSpan.FromMilliseconds(100), s.GossipInterval);
        // memberlist's LAN profile, as it was the default before.
        var lan = SwimProfiles.Lan;
        Assert.Equal((Second, TimeSpan.FromMilliseconds(500), 4, 6, 4), (lan.ProbeInterval, lan.ProbeTimeout, lan.SuspicionMult, lan.SuspicionMaxTimeoutMult, lan.RetransmitMult));
        Assert.Equal((TimeSpan.FromSeconds(30), 8, TimeSpan.FromMilliseconds(200), 3), (lan.PushPullInterval, lan.AwarenessMaxMultiplier, lan.GossipInterval, lan.GossipNodes));
        foreach (var name in SwimProfiles.Names)
        {
            var profile = SwimProfiles.Find(name)!;
            Assert.Empty(profile.Validate());
            Assert.True(profile.SuspicionMult - 2 > 0, $"{name}: k = SuspicionMult - 2 must be positive");
        }
        Assert.Same(SwimProfiles.Wan, SwimProfiles.Find("WAN"));
        Assert.Null(SwimProfiles.Find("local"));
    }

    [Fact]
    public void Validate_names_the_setting()
    {
        var errors = new SwimSettings { ProbeTimeout = TimeSpan.FromSeconds(2), IndirectChecks = -1, RetransmitMult = 0 }.Validate();
        Assert.Contains(errors, e => e.Contains(nameof(SwimSettings.ProbeTimeout)));
        Assert.Contains(errors, e => e.Contains(nameof(SwimSettings.IndirectChecks)));
        Assert.Contains(errors, e => e.Contains(nameof(SwimSettings.RetransmitMult)));
        Assert.Throws<ArgumentException>(() => new SwimInstance(new SwimSettings { GossipNodes = -1 }, Id(1), Metadata.Empty, new FakeTimeProvider(), new Random(1), WireSizes.Instance));
    }

    [Fact]
    public void Suspicion_timeout_shrinks_from_max_to_min_with_confirmations()
    {
        var s = SwimProfiles.Lan;
        Assert.Equal(TimeSpan.FromSeconds(4), s.SuspicionMinTimeout(5)); // max(1, log10 5) = 1
        Assert.Equal(4 * Math.Log10(50), s.SuspicionMinTimeout(50).TotalSeconds, 3);
        Assert.Equal(TimeSpan.FromSeconds(24), s.SuspicionMaxTimeout(5));
        var min = TimeSpan.FromSeconds(4);
        var max = TimeSpan.FromSeconds(24);
        Assert.Equal(max, Suspicion.Compute(0, 2, min, max));
        var one = Suspicion.Compute(1, 2, min, max);
        Assert.True(one < max && one > min);
        Assert.Equal(min, Suspicion.Compute(2, 2, min, max));
        Assert.Equal(min, Suspicion.Compute(5, 2, min, max));
        Assert.Equal(min, Suspicion.Compute(0, 0, min, max)); // too small a cluster to expect confirmations
        Assert.Equal(4, s.RetransmitLimit(5));
        Assert.Equal(8, s.RetransmitLimit(10));
    }

    [Fact]
    public void Join_without_seeds_starts_a_cluster_and_with_seeds_pushes_state_until_one_answers()
    {
        var alone = new CoreHarness();
        Assert.True(alone.Record(alone.Swim.Join([])).Joined);
        Assert.True(alone.Swim.IsJoined);

        var h = new CoreHarness();
        h.Record(h.Swim.Join([("10.0.0.2", 7946), ("10.0.0.3", 7946), ("10.0.0.1", 7946)]));
        Assert.False(h.Joined);
        var joins = h.Sent.Where(s => s.Message is PushPull { Join: true }).ToList();
        Assert.Equal(2, joins.Count); // ourselves is not a seed
        Assert.All(joins, s => Assert.True(s.Reliable));
        h.Sent.Clear();
        h.Run(h.Settings.JoinRetryInterval + TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, h.SentOf<PushPull>().Count(p => p.Join)); // retried

        h.Receive(new PushPull(Id(2), Join: false, Reply: true) { Updates = [new MemberUpdate(Id(2), 0, MemberStatus.Alive, null, Meta(2)), new MemberUpdate(Id(3), 4, MemberStatus.Alive, null, Meta(3))] });
        Assert.True(h.Joined);
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(3)));
        Assert.Equal(Meta(3), h.Swim.View.Find(Id(3))!.Metadata);
        Assert.Equal(4u, h.Swim.View.Find(Id(3))!.Incarnation);
    }

    [Fact]
    public void A_clients_view_request_is_answered_but_does_not_complete_a_join()
    {
        var h = new CoreHarness();
        h.Record(h.Swim.Join([("10.0.0.2", 7946)])); // the seed is unreachable: nothing answers
        h.Run(h.Settings.JoinRetryInterval * 3);
        var client = new NodeId("10.0.0.200", 40000, 1);
        h.Receive(new PushPull(client, Join: false, Reply: false)); // what SwimViewRequest sends
        Assert.Contains(h.Sent, s => s.To == client.Endpoint && s.Message is PushPull { Reply: true });
        Assert.False(h.Joined);
        Assert.False(h.Swim.IsJoined);
        h.Sent.Clear();
        h.Run(h.Settings.JoinRetryInterval + TimeSpan.FromMilliseconds(100));
        Assert.Contains(h.SentOf<PushPull>(), p => p.Join); // still trying its seeds
        // A member joining through it does complete it.
        h.Receive(new PushPull(Id(3), Join: true, Reply: false) { Updates = [new MemberUpdate(Id(3), 0, MemberStatus.Alive, null, Meta(3))] });
        Assert.True(h.Joined);
    }

    [Fact]
    public void A_push_pull_request_is_answered_with_the_full_state_over_tcp()
    {
        var h = new CoreHarness().WithMembers(3);
        h.Receive(new PushPull(Id(4), Join: true, Reply: false) { Updates = [new MemberUpdate(Id(4), 0, MemberStatus.Alive, null, Meta(4))] });
        var reply = Assert.Single(h.Sent, s => s.Message is PushPull);
        Assert.True(reply.Reliable);
        Assert.Equal(Id(4).Endpoint, reply.To);
        var state = ((PushPull)reply.Message).Updates;
        Assert.Equal(4, state.Select(u => u.Node).Distinct().Count());
        Assert.True(((PushPull)reply.Message).Reply);
    }

    [Fact]
    public void Probes_one_member_per_period_covering_everyone_in_shuffled_round_robin()
    {
        var h = new CoreHarness().WithMembers(6);
        h.Run(TimeSpan.FromSeconds(10), send => send.Message is Ping p ? new Ack(p.Target, p.SeqNo) : null);
        var pings = h.SentOf<Ping>().ToList();
        Assert.InRange(pings.Count, 9, 11); // one per second
        // Each round of 5 probes covers the 5 others exactly once.
        Assert.Equal(5, pings.Take(5).Select(p => p.Target).Distinct().Count());
        Assert.Equal(5, pings.Skip(5).Take(5).Select(p => p.Target).Distinct().Count());
        Assert.Empty(h.SentOf<PingReq>());
        Assert.DoesNotContain(h.Changes, c => c.New == MemberStatus.Suspect);
    }

    [Fact]
    public void Missing_ack_leads_to_indirect_probes_then_suspicion()
    {
        var h = new CoreHarness().WithMembers(5);
        for (var i = 0; i < 20 && !h.SentOf<Ping>().Any(); i++) h.Run(h.Settings.ProbeInterval / 10);
        var ping = Assert.Single(h.SentOf<Ping>());
        h.Sent.Clear();
        h.Run(h.Settings.ProbeTimeout + TimeSpan.FromMilliseconds(100));
        var reqs = h.SentOf<PingReq>().ToList();
        Assert.Equal(3, reqs.Count);
        Assert.All(reqs, r => Assert.Equal(ping.Target, r.Target));
        Assert.All(reqs, r => Assert.True(r.WantNack));
        Assert.Equal(3, h.Sent.Where(s => s.Message is PingReq).Select(s => s.To).Distinct().Count());
        Assert.DoesNotContain(h.Sent, s => s.Message is PingReq && s.To == ping.Target.Endpoint);
        // Helpers nack: the prober itself looks healthy.
        foreach (var (req, send) in reqs.Zip(h.Sent.Where(s => s.Message is PingReq)))
            h.Receive(new Nack(h.Swim.View.Members.First(m => m.Node.Endpoint == send.To).Node, req.SeqNo));
        h.Run(h.Settings.ProbeInterval);
        Assert.Equal(MemberStatus.Suspect, h.StatusOf(ping.Target));
        Assert.Contains(h.Changes, c => c.Node == ping.Target && c.Old == MemberStatus.Alive && c.New == MemberStatus.Suspect);
        Assert.Equal(0, h.Swim.LocalHealthScore);
        // The suspicion is disseminated.
        Assert.Contains(h.Sent.SelectMany(s => s.Message.Updates), u => u.Node == ping.Target && u.Status == MemberStatus.Suspect && u.Confirmer == h.Swim.Self);
    }

    [Fact]
    public void An_ack_through_a_helper_counts_and_lowers_local_health()
    {
        var h = new CoreHarness().WithMembers(5);
        // First make local health bad: fail a probe with no nacks at all.
        h.Run(TimeSpan.FromSeconds(2.05));
        Assert.True(h.Swim.LocalHealthScore >= 3, $"score {h.Swim.LocalHealthScore}");
        var before = h.Swim.LocalHealthScore;
        h.Sent.Clear();
        h.Run(h.Settings.ProbeInterval * (before + 1), send => send.Message is PingReq r ? new Ack(h.Swim.View.Members.First(m => m.Node.Endpoint == send.To).Node, r.SeqNo) : null);
        Assert.True(h.Swim.LocalHealthScore < before);
    }

    [Fact]
    public void Local_health_stretches_the_probe_timeout()
    {
        var h = new CoreHarness().WithMembers(5);
        h.Run(TimeSpan.FromSeconds(2.05)); // a failed probe without nacks: score rises
        var score = h.Swim.LocalHealthScore;
        Assert.True(score > 0);
        // Wait for the next ping, then measure how long until its ping-reqs.
        h.Sent.Clear();
        var step = h.Settings.ProbeInterval / 10;
        var sawPing = TimeSpan.Zero;
        for (var i = 0; i < 200 && !h.SentOf<PingReq>().Any(); i++)
        {
            h.Time.Advance(step);
            h.Record(h.Swim.OnTick());
            if (sawPing == TimeSpan.Zero && h.SentOf<Ping>().Any()) sawPing = h.Elapsed;
        }
        var waited = h.Elapsed - sawPing;
        Assert.True(waited >= h.Settings.ProbeTimeout * (score + 1) - step, $"waited {waited} with score {score}");
    }

    [Fact]
    public void Relays_a_ping_req_and_nacks_when_the_target_is_silent()
    {
        var h = new CoreHarness().WithMembers(4);
        h.Receive(new PingReq(Id(2), 77, Id(3), WantNack: true));
        var ping = Assert.Single(h.SentOf<Ping>());
        Assert.Equal(Id(3), ping.Target);
        h.Receive(new Ack(Id(3), ping.SeqNo));
        var ack = Assert.Single(h.Sent, s => s.Message is Ack);
        Assert.Equal(Id(2).Endpoint, ack.To);
        Assert.Equal(77u, ((Ack)ack.Message).SeqNo);

        h.Sent.Clear();
        h.Receive(new PingReq(Id(2), 78, Id(4), WantNack: true));
        h.Run(h.Settings.ProbeTimeout + TimeSpan.FromMilliseconds(100));
        var nack = Assert.Single(h.Sent, s => s.Message is Nack);
        Assert.Equal(Id(2).Endpoint, nack.To);
        Assert.Equal(78u, ((Nack)nack.Message).SeqNo);
    }

    [Fact]
    public void Answers_pings_for_itself_only()
    {
        var h = new CoreHarness().WithMembers(3);
        h.Receive(new Ping(Id(2), 5, Id(1)));
        Assert.Equal(5u, Assert.Single(h.SentOf<Ack>()).SeqNo);
        h.Receive(new Ping(Id(2), 6, Id(1, generation: 0))); // an older generation of our endpoint
        Assert.Single(h.SentOf<Ack>());
    }

    [Fact]
    public void A_suspected_node_refutes_with_a_higher_incarnation()
    {
        var h = new CoreHarness().WithMembers(3);
        h.Learn(new MemberUpdate(Id(1), 0, MemberStatus.Suspect, Id(2)));
        Assert.Equal(1u, h.Swim.Incarnation);
        Assert.Equal(1, h.Swim.LocalHealthScore);
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(1)));
        h.Receive(new Ping(Id(2), 1, Id(1)));
        var ack = Assert.Single(h.SentOf<Ack>());
        Assert.Contains(ack.Updates, u => u.Node == Id(1) && u.Status == MemberStatus.Alive && u.Incarnation == 1 && u.Metadata is not null);
        // A stale suspicion (older incarnation) changes nothing.
        h.Learn(new MemberUpdate(Id(1), 0, MemberStatus.Suspect, Id(3)));
        Assert.Equal(1u, h.Swim.Incarnation);
    }

    [Fact]
    public void A_stale_suspicion_is_answered_with_the_current_incarnation()
    {
        var h = new CoreHarness().WithMembers(3);
        h.Learn(new MemberUpdate(Id(1), 0, MemberStatus.Suspect, Id(2)));
        Assert.Equal(1u, h.Swim.Incarnation);
        // The refutation goes out its RetransmitLimit times and leaves the queue...
        h.Run(TimeSpan.FromSeconds(3));
        var refutations = h.Sent.Count(s => s.Message.Updates.Any(u => u.Node == Id(1) && u.Incarnation == 1));
        Assert.Equal(h.Settings.RetransmitLimit(3), refutations);
        h.Sent.Clear();
        var health = h.Swim.LocalHealthScore;
        // ...but member 3 missed every copy and still suspects incarnation 0: its buddy ping must not be ignored.
        h.Receive(new Ping(Id(3), 7, Id(1)) { Updates = [new MemberUpdate(Id(1), 0, MemberStatus.Suspect, Id(3))] });
        var ack = Assert.Single(h.SentOf<Ack>());
        Assert.Equal(Id(1), ack.Updates[0].Node);
        Assert.Equal((1u, MemberStatus.Alive), (ack.Updates[0].Incarnation, ack.Updates[0].Status));
        Assert.NotNull(ack.Updates[0].Metadata);
        // Re-announced, not outbid again: nothing new happened to us.
        Assert.Equal(1u, h.Swim.Incarnation);
        Assert.Equal(health, h.Swim.LocalHealthScore);
    }

    [Fact]
    public void A_ping_to_a_suspect_carries_the_suspicion_buddy_system()
    {
        var h = new CoreHarness().WithMembers(2);
        h.Learn(new MemberUpdate(Id(2), 0, MemberStatus.Suspect, Id(3)));
        // Drain the queue so the only way the suspicion travels is the buddy system.
        h.Run(TimeSpan.FromSeconds(3), send => send.Message is Ping p && p.Target == Id(2) ? null : null);
        var pings = h.SentOf<Ping>().Where(p => p.Target == Id(2)).ToList();
        Assert.NotEmpty(pings);
        Assert.All(pings, p => Assert.Equal(MemberStatus.Suspect, p.Updates[0].Status));
        Assert.All(pings, p => Assert.Equal(Id(2), p.Updates[0].Node));
    }

    [Fact]
    public void A_ping_relayed_to_a_member_we_suspect_carries_the_suspicion_too()
    {
        var h = new CoreHarness().WithMembers(4);
        h.Learn(new MemberUpdate(Id(3), 2, MemberStatus.Suspect, Id(4)));
        // Drain the queue so the only way the suspicion travels is the buddy system.
        h.Run(TimeSpan.FromSeconds(3));
        Assert.Equal(MemberStatus.Suspect, h.StatusOf(Id(3)));
        h.Sent.Clear();
        h.Receive(new PingReq(Id(2), 77, Id(3), WantNack: true));
        var ping = Assert.Single(h.SentOf<Ping>());
        Assert.Equal(Id(3), ping.Target);
        Assert.Equal(Id(3), ping.Updates[0].Node);
        Assert.Equal((2u, MemberStatus.Suspect), (ping.Updates[0].Incarnation, ping.Updates[0].Status));
    }

    [Fact]
    public void A_lone_suspicion_becomes_death_at_its_ceiling_however_few_confirm_it()
    {
        var h = new CoreHarness(SwimProfiles.Lan with { IndirectChecks = 0 }).WithMembers(5);
        var max = h.Settings.SuspicionMaxTimeout(5);
        h.Learn(new MemberUpdate(Id(5), 0, MemberStatus.Suspect, Id(2)));
        // Every ping is answered (an ack ends a probe, it does not refute): member 2 stays the only confirmer.
        h.Run(max - TimeSpan.FromMilliseconds(300), send => send.Message is Ping p ? new Ack(p.Target, p.SeqNo) : null);
        Assert.Equal(MemberStatus.Suspect, h.StatusOf(Id(5)));
        // No majority needed any more (the old rule kept it suspect for ever): the timeout alone decides.
        h.Run(TimeSpan.FromMilliseconds(500));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(5)));
        Assert.Contains(h.Changes, c => c.Node == Id(5) && c.New == MemberStatus.Dead);
        Assert.Equal(2, h.Settings.SuspicionMult - 2); // k > 0: a lone suspicion waits the full ceiling
    }

    [Fact]
    public void A_two_member_cluster_evicts_its_crashed_member_without_any_setting()
    {
        var h = new CoreHarness().WithMembers(2);
        h.Run(TimeSpan.FromSeconds(2)); // our probe of member 2 fails
        Assert.Equal(MemberStatus.Suspect, h.StatusOf(Id(2)));
        h.Run(h.Settings.SuspicionMaxTimeout(2));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(2)));
    }

    [Fact]
    public void Half_of_four_crashing_are_evicted_by_the_other_half()
    {
        var h = new CoreHarness(SwimProfiles.Lan with { IndirectChecks = 1 }).WithMembers(4);
        // Members 3 and 4 crashed; 2 answers. The old majority rule needed 3 of 4 confirmations: never.
        var bound = h.Settings.ProbeInterval * 8 + h.Settings.SuspicionMaxTimeout(4);
        h.Run(bound, send => send.Message switch
        {
            Ping p when p.Target == Id(2) => new Ack(Id(2), p.SeqNo),
            PingReq r => new Nack(Id(2), r.SeqNo), // the helper is alive, the target silent
            _ => null,
        });
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(3)));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(4)));
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(2)));
    }

    [Fact]
    public void Suspicion_waits_for_its_timeout_even_with_enough_confirmations()
    {
        var h = new CoreHarness().WithMembers(5);
        h.Learn(new MemberUpdate(Id(5), 0, MemberStatus.Suspect, Id(2)), new MemberUpdate(Id(5), 0, MemberStatus.Suspect, Id(3)), new MemberUpdate(Id(5), 0, MemberStatus.Suspect, Id(4)));
        h.Run(h.Settings.SuspicionMinTimeout(5) - TimeSpan.FromMilliseconds(300), send => send.Message is Ping p && p.Target != Id(5) ? new Ack(p.Target, p.SeqNo) : null);
        Assert.Equal(MemberStatus.Suspect, h.StatusOf(Id(5)));
        h.Run(TimeSpan.FromMilliseconds(500));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(5)));
    }

    [Fact]
    public void Dead_is_final_for_a_generation_and_a_newer_generation_supersedes()
    {
        var h = new CoreHarness().WithMembers(3);
        h.Learn(new MemberUpdate(Id(2), 0, MemberStatus.Dead, Id(3)));
        h.Learn(new MemberUpdate(Id(2), 9, MemberStatus.Alive, null, Meta(2)));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(2)));

        h.Learn(new MemberUpdate(Id(3, generation: 2), 0, MemberStatus.Alive, null, Meta(3)));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(3)));
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(3, generation: 2)));
        // News about the old generation arriving late cannot revive it.
        h.Learn(new MemberUpdate(Id(3), 5, MemberStatus.Alive, null, Meta(3)));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(3)));
        h.Learn(new MemberUpdate(Id(4, generation: 1), 0, MemberStatus.Alive, null, Meta(4)));
        h.Learn(new MemberUpdate(Id(4, generation: 0), 0, MemberStatus.Alive, null, Meta(4)));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(4, generation: 0)));
    }

    [Fact]
    public void A_node_that_hears_it_is_dead_stops()
    {
        var h = new CoreHarness().WithMembers(3);
        var d = h.LearnFrom(Id(2), Strong, new MemberUpdate(Id(1), 0, MemberStatus.Dead, Id(2)));
        Assert.True(d.SelfDeclaredDead);
        Assert.Equal(Id(2).Endpoint, d.RejoinHints[0]);
        Assert.Equal(d.RejoinHints, h.Swim.RejoinHints);
        Assert.True(h.Swim.IsDeclaredDead);
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(1)));
        Assert.True(h.Swim.OnTick().IsEmpty);
        Assert.True(h.Swim.OnMessage(null, new Ping(Id(2), 1, Id(1))).IsEmpty);

        var replaced = new CoreHarness().WithMembers(2);
        Assert.True(replaced.Learn(new MemberUpdate(Id(1, generation: 2), 0, MemberStatus.Alive)).SelfDeclaredDead);
    }

    /// <summary>Members 2..n each ping us (they count toward our reach from now on).</summary>
    private static void HearFrom(CoreHarness h, int n)
    {
        for (var i = 2; i <= n; i++) h.Receive(new Ping(Id(i), (uint)(100 + i), Id(1)));
    }

    private static Side SideOf(int reach, int leader) => new(reach, Side.LeaderOf(Id(leader).Endpoint));

    [Fact]
    public void Our_side_counts_us_and_the_alive_members_we_heard_from_and_its_leader_is_the_smallest_endpoint()
    {
        var h = new CoreHarness(self: 3).WithMembers(1);
        for (var i = 1; i <= 5; i++) if (i != 3) h.Learn(new MemberUpdate(Id(i), 0, MemberStatus.Alive, null, Meta(i)));
        Assert.Equal(SideOf(1, 3), h.Swim.CurrentSide(h.Elapsed));
        h.Receive(new Ping(Id(4), 1, Id(3)));
        h.Receive(new Ping(Id(1), 2, Id(3)));
        Assert.Equal(SideOf(3, 1), h.Swim.CurrentSide(h.Elapsed));
        Assert.Equal(h.Swim.CurrentSide(h.Elapsed), h.Sent[^1].Message.Side); // every message carries it (the ack to 1 here)
        h.Learn(new MemberUpdate(Id(1), 0, MemberStatus.Suspect, Id(5))); // suspects do not count
        Assert.Equal(SideOf(2, 3), h.Swim.CurrentSide(h.Elapsed));
        h.Time.Advance(h.Settings.ReachWindowFor(5) + TimeSpan.FromMilliseconds(1)); // nor silent ones
        Assert.Equal(1, h.Swim.CurrentSide(h.Elapsed).Reach);
    }

    [Fact]
    public void A_death_of_ours_is_accepted_only_from_a_stronger_side()
    {
        var h = new CoreHarness().WithMembers(5);
        HearFrom(h, 5);
        Assert.Equal(5, h.Swim.CurrentSide(h.Elapsed).Reach);
        // A cut-off pair (reach 2) evicted us: ignored, not refuted (Dead stays final); the accuser no longer counts.
        var d = h.LearnFrom(Id(2), SideOf(2, 2), new MemberUpdate(Id(1), 0, MemberStatus.Dead, Id(2)));
        Assert.False(d.SelfDeclaredDead);
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(1)));
        Assert.Equal(0u, h.Swim.Incarnation);
        Assert.Equal(4, h.Swim.CurrentSide(h.Elapsed).Reach);
        // Equal is not enough for a death of ours.
        Assert.False(h.LearnFrom(Id(3), h.Swim.CurrentSide(h.Elapsed), new MemberUpdate(Id(1), 0, MemberStatus.Dead, Id(3))).SelfDeclaredDead);
        // A stronger side's verdict is final, and the host is told whom to rejoin through.
        d = h.LearnFrom(Id(4), SideOf(5, 1), new MemberUpdate(Id(1), 0, MemberStatus.Dead, Id(4)));
        Assert.True(d.SelfDeclaredDead);
        Assert.Equal(Id(4).Endpoint, d.RejoinHints[0]);
    }

    [Fact]
    public void A_death_of_a_member_we_hear_from_is_ignored_from_a_weaker_side_and_accepted_from_an_equal_one()
    {
        var h = new CoreHarness().WithMembers(5);
        HearFrom(h, 5);
        h.LearnFrom(Id(2), SideOf(2, 2), new MemberUpdate(Id(3), 0, MemberStatus.Dead, Id(2)));
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(3)));
        // From our own side (a crash seen first by another member): accepted, so news of deaths spreads.
        h.LearnFrom(Id(2), h.Swim.CurrentSide(h.Elapsed), new MemberUpdate(Id(3), 0, MemberStatus.Dead, Id(2)));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(3)));
        // A member we do not hear from (or hold suspect) is not protected: the weak side's verdict stands.
        h.Learn(new MemberUpdate(Id(6), 0, MemberStatus.Alive, null, Meta(6)));
        h.LearnFrom(Id(2), SideOf(2, 2), new MemberUpdate(Id(6), 0, MemberStatus.Dead, Id(2)));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(6)));
    }

    [Fact]
    public void A_member_held_dead_gets_no_ack_but_our_verdict_and_only_its_news_of_us_counts()
    {
        var h = new CoreHarness().WithMembers(4);
        h.Learn(new MemberUpdate(Id(2), 0, MemberStatus.Dead, Id(3)));
        h.Sent.Clear();
        h.Receive(new Ping(Id(2), 3, Id(1)) { Updates = [new MemberUpdate(Id(4), 0, MemberStatus.Dead, Id(2)), new MemberUpdate(Id(1), 0, MemberStatus.Suspect, Id(2))] });
        Assert.Empty(h.SentOf<Ack>());
        var verdict = Assert.Single(h.Sent);
        Assert.Equal(Id(2).Endpoint, verdict.To);
        Assert.Contains(verdict.Message.Updates, u => u.Node == Id(2) && u.Status == MemberStatus.Dead);
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(4))); // its news of others is not taken
        Assert.Equal(1u, h.Swim.Incarnation); // its suspicion of us is refuted all the same
    }

    [Fact]
    public void After_a_stall_what_we_heard_before_it_no_longer_counts()
    {
        var h = new CoreHarness().WithMembers(5);
        HearFrom(h, 5);
        Assert.False(h.LearnFrom(Id(2), SideOf(2, 2), new MemberUpdate(Id(1), 0, MemberStatus.Dead, Id(2))).SelfDeclaredDead);
        h.Time.Advance(h.Settings.SuspicionMinTimeout(5)); // SIGSTOP, SIGCONT: the next message comes before any tick
        Assert.True(h.LearnFrom(Id(3), SideOf(2, 2), new MemberUpdate(Id(1), 0, MemberStatus.Dead, Id(3))).SelfDeclaredDead);
    }

    [Fact]
    public void A_member_we_hold_dead_is_told_so_when_it_talks()
    {
        var h = new CoreHarness().WithMembers(3);
        h.Learn(new MemberUpdate(Id(2), 0, MemberStatus.Dead, Id(3)));
        h.Sent.Clear();
        h.Receive(new Ping(Id(2), 3, Id(1)));
        var verdict = h.Sent.Single(s => s.Message is Gossip);
        Assert.Equal(Id(2).Endpoint, verdict.To);
        Assert.Contains(verdict.Message.Updates, u => u.Node == Id(2) && u.Status == MemberStatus.Dead);
    }

    [Fact]
    public void Leave_disseminates_Left_with_a_higher_incarnation_and_others_record_Left()
    {
        var h = new CoreHarness().WithMembers(4);
        var version = h.Swim.Version;
        var d = h.Record(h.Swim.Leave());
        Assert.True(h.Swim.HasLeft);
        Assert.True(h.Swim.Version > version);
        Assert.Equal(3, d.Messages.Count);
        Assert.All(d.Messages, s => Assert.Contains(s.Message.Updates, u => u.Node == Id(1) && u.Status == MemberStatus.Left && u.Incarnation == 1));

        var other = new CoreHarness(self: 2).WithMembers(1);
        other.Learn(new MemberUpdate(Id(1), 0, MemberStatus.Alive, null, Meta(1)));
        other.Receive(d.Messages[0].Message);
        Assert.Equal(MemberStatus.Left, other.StatusOf(Id(1)));
        // A late suspicion or death verdict does not turn Left into Dead.
        other.Learn(new MemberUpdate(Id(1), 0, MemberStatus.Dead, Id(3)));
        Assert.Equal(MemberStatus.Left, other.StatusOf(Id(1)));
    }

    [Fact]
    public void Each_update_is_retransmitted_a_bounded_number_of_times()
    {
        var h = new CoreHarness(SwimProfiles.Lan with { GossipNodes = 1 }).WithMembers(5);
        h.Learn(new MemberUpdate(Id(7), 3, MemberStatus.Alive, null, Meta(7)));
        h.Run(TimeSpan.FromSeconds(20), send => send.Message is Ping p ? new Ack(p.Target, p.SeqNo) : null);
        var carried = h.Sent.Count(s => !s.Reliable && s.Message.Updates.Any(u => u.Node == Id(7))); // push-pull aside
        Assert.Equal(h.Settings.RetransmitLimit(6), carried);
    }

    [Fact]
    public void Piggybacked_updates_fit_a_datagram()
    {
        var h = new CoreHarness().WithMembers(2);
        var many = Enumerable.Range(0, 200).Select(i => new MemberUpdate(new NodeId("host-" + i + ".example.internal", 7000 + i, 1), 1, MemberStatus.Alive, null, Meta(i % 250))).ToArray();
        h.Learn(many);
        h.Sent.Clear();
        h.Run(TimeSpan.FromSeconds(2), send => send.Message is Ping p ? new Ack(p.Target, p.SeqNo) : null);
        var codec = new SwimCodec(new Keyring([new byte[32]]));
        Assert.NotEmpty(h.Sent);
        foreach (var send in h.Sent.Where(s => !s.Reliable))
            Assert.True(codec.PacketSize(send.Message) <= h.Settings.MaxDatagramBytes, $"{send.Message.GetType().Name} of {codec.PacketSize(send.Message)} bytes");
        Assert.Contains(h.Sent, s => s.Message.Updates.Count > 5);
    }

    [Fact]
    public void A_paused_process_does_not_blame_the_member_it_was_probing()
    {
        var h = new CoreHarness().WithMembers(3);
        h.Run(h.Settings.ProbeInterval);
        Assert.Single(h.SentOf<Ping>());
        h.Time.Advance(TimeSpan.FromSeconds(10)); // SIGSTOP
        h.Record(h.Swim.OnTick());
        Assert.DoesNotContain(h.Changes, c => c.New == MemberStatus.Suspect);
        Assert.True(h.Swim.LocalHealthScore > 0);
    }

    [Fact]
    public void Metadata_updates_win_with_a_higher_incarnation()
    {
        var h = new CoreHarness();
        var d = h.Record(h.Swim.UpdateMetadata(new Metadata([new("gateway", "30000")])));
        Assert.Equal(1u, h.Swim.Incarnation);
        Assert.Equal("30000", h.Swim.View.Find(Id(1))!.Metadata["gateway"]);
        Assert.Contains(d.Changes, c => c.Node == Id(1) && c.Old == c.New);

        var other = new CoreHarness(self: 2).WithMembers(1);
        other.Learn(new MemberUpdate(Id(1), 0, MemberStatus.Alive, null, Meta(1)));
        other.Learn(new MemberUpdate(Id(1), 1, MemberStatus.Alive, null, h.Swim.Metadata));
        Assert.Equal("30000", other.Swim.View.Find(Id(1))!.Metadata["gateway"]);
        other.Learn(new MemberUpdate(Id(1), 0, MemberStatus.Alive, null, Meta(1))); // stale
        Assert.Equal("30000", other.Swim.View.Find(Id(1))!.Metadata["gateway"]);
    }
}
