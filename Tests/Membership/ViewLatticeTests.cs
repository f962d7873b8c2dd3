using Heck.Membership.Swim;
using static Heck.Tests.Membership.CoreHarness;

namespace Heck.Tests.Membership;

/// <summary>The view is a join-semilattice: merge order and repetition do not matter, and the version only rises.</summary>
public class ViewLatticeTests
{
    private static MemberUpdate RandomUpdate(Random r)
    {
        var node = Id(r.Next(2, 5), generation: r.Next(1, 3));
        var incarnation = (uint)r.Next(0, 4);
        var status = (MemberStatus)r.Next(0, 4);
        NodeId? confirmer = status is MemberStatus.Suspect or MemberStatus.Dead ? Id(r.Next(2, 7)) : null;
        // Metadata is a function of (node, incarnation), as a real member produces it.
        Metadata? metadata = status == MemberStatus.Alive || r.Next(2) == 0
            ? new Metadata([new("silo", $"{node}"), new("inc", incarnation.ToString())])
            : null;
        return new MemberUpdate(node, incarnation, status, confirmer, metadata);
    }

    private static string Snapshot(SwimView view) =>
        string.Join(";", view.Members.Select(m => $"{m.Node}={m.Status}/{m.Incarnation}/{m.Metadata}"));

    [Fact]
    public void Merging_in_any_order_with_repeats_gives_the_same_view_and_a_rising_version()
    {
        for (var seed = 1; seed <= 400; seed++)
        {
            var r = new Random(seed);
            var updates = Enumerable.Range(0, r.Next(1, 30)).Select(_ => RandomUpdate(r)).ToList();
            var shuffled = updates.Concat(updates.Where(_ => r.Next(3) == 0)).OrderBy(_ => r.Next()).ToList();

            var a = new CoreHarness(seed: seed);
            var b = new CoreHarness(seed: seed + 1000);
            AssertMonotone(a, updates, seed);
            AssertMonotone(b, shuffled, seed);
            Assert.True(Snapshot(a.Swim.View) == Snapshot(b.Swim.View), $"seed {seed}:\n{Snapshot(a.Swim.View)}\n{Snapshot(b.Swim.View)}");
        }
    }

    private static void AssertMonotone(CoreHarness h, IEnumerable<MemberUpdate> updates, int seed)
    {
        var version = h.Swim.Version;
        foreach (var u in updates)
        {
            var before = Snapshot(h.Swim.View);
            h.Learn(u);
            var after = Snapshot(h.Swim.View);
            Assert.True(h.Swim.Version >= version, $"seed {seed}: version fell");
            if (before != after) Assert.True(h.Swim.Version > version, $"seed {seed}: view changed but version did not rise ({u})");
            Assert.Equal(h.Swim.Version, h.Swim.View.Version);
            version = h.Swim.Version;
        }
    }

    [Fact]
    public void Dead_absorbs_and_ranks_order_within_an_incarnation()
    {
        var h = new CoreHarness();
        h.Learn(new MemberUpdate(Id(2), 1, MemberStatus.Suspect, Id(3)));
        h.Learn(new MemberUpdate(Id(2), 1, MemberStatus.Alive));
        Assert.Equal(MemberStatus.Suspect, h.StatusOf(Id(2))); // Alive < Suspect at one incarnation
        h.Learn(new MemberUpdate(Id(2), 2, MemberStatus.Alive));
        Assert.Equal(MemberStatus.Alive, h.StatusOf(Id(2))); // refuted by a higher incarnation
        h.Learn(new MemberUpdate(Id(2), 0, MemberStatus.Dead, Id(3)));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(2))); // final whatever the incarnation
        h.Learn(new MemberUpdate(Id(2), 100, MemberStatus.Alive));
        Assert.Equal(MemberStatus.Dead, h.StatusOf(Id(2)));
    }
}
