using Heck.Membership.Swim;
using Heck.Membership.Wire;
using static Heck.Tests.Membership.CoreHarness;

namespace Heck.Tests.Membership;

/// <summary>Dead and left generations leave the view after the retention, stay gone, and frames stay small.</summary>
public class ExpiryTests
{
    private static readonly SwimSettings OneMinute = SwimProfiles.Lan with { DeadRetention = TimeSpan.FromMinutes(1) };

    /// <summary>Every live member answers its pings, so only the member declared dead changes.</summary>
    private static SwimMessage? AckPings(Send send) => send.Message is Ping p ? new Ack(p.Target, p.SeqNo) : null;

    private static PushPull JoinReply(CoreHarness h, NodeId joiner)
    {
        h.Sent.Clear();
        h.Receive(new PushPull(joiner, Join: true, Reply: false));
        return h.SentOf<PushPull>().Single(p => p.Reply);
    }

    [Fact]
    public void A_dead_member_leaves_the_view_after_the_retention_and_is_no_longer_shipped()
    {
        var h = new CoreHarness(OneMinute).WithMembers(3);
        h.Learn(new MemberUpdate(Id(2), 0, MemberStatus.Dead, Id(3)));
        var version = h.Swim.Version;

        h.Run(TimeSpan.FromSeconds(55), AckPings);
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(2)));
        Assert.Contains(JoinReply(h, Id(4)).Updates, u => u.Node == Id(2));

        h.Run(TimeSpan.FromSeconds(10), AckPings);
        Assert.Null(h.StatusOf(Id(2)));
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(3)));
        Assert.True(h.Swim.Version > version, "the version rises when a member leaves the view");
        Assert.DoesNotContain(JoinReply(h, Id(4)).Updates, u => u.Node == Id(2));
    }

    [Fact]
    public void A_left_member_expires_like_a_dead_one()
    {
        var h = new CoreHarness(OneMinute).WithMembers(3);
        h.Learn(new MemberUpdate(Id(2), 1, MemberStatus.Left));
        h.Run(TimeSpan.FromSeconds(65), AckPings);
        Assert.Null(h.StatusOf(Id(2)));
    }

    [Fact]
    public void An_expired_generation_does_not_come_back_from_a_peer_that_still_holds_it_and_hears_its_verdict_if_it_talks()
    {
        var h = new CoreHarness(OneMinute).WithMembers(3);
        h.Learn(new MemberUpdate(Id(2), 0, MemberStatus.Dead, Id(3)));
        h.Run(TimeSpan.FromSeconds(65), AckPings);
        Assert.Null(h.StatusOf(Id(2)));

        // Member 3 has not expired it yet: its push-pull and its gossip still carry the tombstone.
        h.Receive(new PushPull(Id(3), Join: false, Reply: true) { Updates = [new MemberUpdate(Id(2), 0, MemberStatus.Dead, Id(3))] });
        h.LearnFrom(Id(3), Strong, new MemberUpdate(Id(2), 7, MemberStatus.Alive, null, Meta(2)));
        Assert.Null(h.StatusOf(Id(2)));

        // The dead process itself (a hang that resumed): no ack, our verdict instead.
        h.Sent.Clear();
        h.Receive(new Ping(Id(2), 9, Id(1)));
        Assert.Empty(h.SentOf<Ack>());
        Assert.Contains(h.Sent, s => s.To == Id(2).Endpoint && s.Message.Updates.Any(u => u.Node == Id(2) && u.Status == MemberStatus.Dead));
        Assert.Null(h.StatusOf(Id(2)));

        // A new generation on that endpoint is a new member.
        h.Learn(new MemberUpdate(Id(2, generation: 2), 0, MemberStatus.Alive, null, Meta(2)));
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(2, generation: 2)));
    }

    [Fact]
    public void The_memory_of_expired_generations_is_bounded_in_time()
    {
        var h = new CoreHarness(OneMinute).WithMembers(3);
        h.Learn(new MemberUpdate(Id(2), 0, MemberStatus.Dead, Id(3)));
        h.Run(TimeSpan.FromSeconds(65), AckPings);
        Assert.Equal(1, h.Swim.ExpiredCount);
        h.Run(OneMinute.DeadRetention * SwimInstance.ExpiredMemoryMult + TimeSpan.FromSeconds(2), AckPings);
        Assert.Equal(0, h.Swim.ExpiredCount);
    }

    /// <summary>
    /// 30,000 generations of 100 endpoints come and go (each endpoint restarts every 10 s for 50 minutes). Without
    /// expiry the view holds all 30,000 and a join reply is over a megabyte (at ~23,000 past the 4 MiB frame limit
    /// with metadata); with it, the view holds the live generations plus the last retention's deaths.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")] // about 8 s
    public void After_thirty_thousand_generations_come_and_go_a_join_reply_stays_small()
    {
        // The default retention (5 min); few retransmissions, so that the few ticks of this test drain the gossip queue.
        var settings = SwimProfiles.Lan with { RetransmitMult = 1 };
        var h = new CoreHarness(settings).WithMembers(1);
        const int endpoints = 100;
        const int rounds = 300;
        var step = TimeSpan.FromSeconds(10);
        var maxView = (int)(endpoints * (settings.DeadRetention / step + 2)) + 1;
        var maxMemory = (int)(endpoints * (settings.DeadRetention * SwimInstance.ExpiredMemoryMult / step + 2));
        for (var round = 1; round <= rounds; round++)
        {
            var updates = new MemberUpdate[endpoints];
            for (var e = 0; e < endpoints; e++)
            {
                var node = new NodeId($"10.1.{e / 250}.{e % 250 + 1}", 7946, round);
                updates[e] = new MemberUpdate(node, 0, MemberStatus.Alive, null, new Metadata([new("silo", $"{node.Host}:11111@{round}")]));
            }
            h.Learn(updates); // each supersedes the endpoint's previous generation, which becomes a tombstone
            for (var tick = 0; tick < 10; tick++)
            {
                h.Time.Advance(step / 10);
                h.Record(h.Swim.OnTick());
            }
            h.Sent.Clear();
            h.Changes.Clear();
            Assert.True(h.Swim.View.Members.Count <= maxView, $"round {round}: {h.Swim.View.Members.Count} members in the view");
            Assert.True(h.Swim.ExpiredCount <= maxMemory, $"round {round}: {h.Swim.ExpiredCount} remembered");
        }
        h.Time.Advance(settings.DeadRetention + step);
        h.Record(h.Swim.OnTick());

        var reply = JoinReply(h, Id(200));
        Assert.True(reply.Updates.Count <= endpoints + 1, $"{reply.Updates.Count} updates in a join reply");
        var bytes = new SwimCodec().PacketSize(reply);
        Assert.True(bytes < 16 * 1024, $"a join reply of {bytes} bytes");
    }
}
