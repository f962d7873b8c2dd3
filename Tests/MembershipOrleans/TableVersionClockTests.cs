using System.Globalization;
using Heck.Membership.Orleans;
using Heck.Membership.Swim;
using Orleans.Runtime;

namespace Heck.Tests.MembershipOrleans;

/// <summary>The table version across expiry: it never falls on a silo, and silos with equal views report equal versions.</summary>
public class TableVersionClockTests
{
    private static NodeId Node(int i) => new("127.0.0." + i, 7946, 1);

    private static MemberInfo Member(int i, MemberStatus status = MemberStatus.Alive, uint incarnation = 1, long retired = 0) =>
        new(Node(i), incarnation, status, new OrleansMember(
            SiloAddress.New(new IPEndPoint(IPAddress.Parse("127.0.0." + i), 11111), i), SiloStatus.Active, 30000,
            $"silo{i}", "localhost", null, DateTime.UnixEpoch, "c", 1, retired).ToMetadata());

    private static SwimView View(int self, params MemberInfo[] members) => new(0, Node(self), members);

    [Fact]
    public void Expiry_never_lowers_the_version_and_equal_views_end_at_equal_versions()
    {
        // Three silos saw 4 die; 1 and 2 expire it first, 3 later, and 5 joins after everyone did.
        var before = new[] { Member(1), Member(2), Member(3), Member(4, MemberStatus.Dead, 3) };
        var clocks = new[] { new TableVersionClock(), new TableVersionClock(), new TableVersionClock() };
        var first = clocks.Select((c, i) => c.Next(View(i + 1, before), out _)).ToArray();
        Assert.All(first, v => Assert.Equal(first[0], v));

        // 1 and 2 expire 4: each raises its retired weight by 4's term, and its version does not fall.
        var v1 = clocks[0].Next(View(1, Member(1), Member(2), Member(3)), out var raised1);
        var v2 = clocks[1].Next(View(2, Member(1), Member(2), Member(3)), out var raised2);
        Assert.True(raised1 && raised2);
        Assert.True(v1 >= first[0] && v2 >= first[1]);
        Assert.Equal(clocks[0].Retired, clocks[1].Retired);

        // Their new weights (new incarnations) reach 3, which still holds 4: its version rises, never falls.
        var published = new[] { Member(1, incarnation: 2, retired: clocks[0].Retired), Member(2, incarnation: 2, retired: clocks[1].Retired) };
        var v3 = clocks[2].Next(View(3, [.. published, Member(3), Member(4, MemberStatus.Dead, 3)]), out var raised3);
        Assert.False(raised3);
        Assert.True(v3 >= first[2]);
        // 3 expires 4 too, above the weights it sees.
        var v3b = clocks[2].Next(View(3, [.. published, Member(3)]), out raised3);
        Assert.True(raised3 && v3b >= v3);

        // Everyone's weights everywhere: one view, one version, also on a silo that never saw 4.
        var final = new[] { published[0], published[1], Member(3, incarnation: 2, retired: clocks[2].Retired) };
        var joiner = new TableVersionClock();
        var versions = new[]
        {
            clocks[0].Next(View(1, final), out _), clocks[1].Next(View(2, final), out _),
            clocks[2].Next(View(3, final), out _), joiner.Next(View(5, final), out _),
        };
        Assert.All(versions, v => Assert.Equal(versions[0], v));
        Assert.True(versions[0] >= v1 && versions[0] >= v2 && versions[1] >= v3b);
    }

    [Fact]
    public void A_published_retired_weight_beyond_the_bound_is_not_believed_and_the_version_never_overflows()
    {
        // A member publishing long.MaxValue (what a forged or corrupt "o.r" can say) would wrap the sum negative,
        // and Orleans ignores a table whose version is lower than one it has seen.
        var forged = new MemberInfo(Node(2), 1, MemberStatus.Alive, new Metadata(new Dictionary<string, string>
        {
            ["o.silo"] = SiloAddress.New(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 11111), 2).ToParsableString(),
            ["o.st"] = ((int)SiloStatus.Active).ToString(CultureInfo.InvariantCulture),
            ["o.r"] = long.MaxValue.ToString(CultureInfo.InvariantCulture),
        }));
        Assert.Equal(0, OrleansMember.TryParse(forged.Metadata)!.Retired);

        var clock = new TableVersionClock();
        var before = clock.Next(View(1, Member(1), forged, Member(3, MemberStatus.Dead)), out _);
        var after = clock.Next(View(1, Member(1), forged), out var raised);
        Assert.True(raised);
        Assert.True(before > 0 && after >= before);

        // At the bound itself the weight is believed, and raising above it saturates instead of wrapping.
        var highest = Member(2, retired: OrleansMember.MaxRetired);
        var atBound = clock.Next(View(1, Member(1), highest, Member(3, MemberStatus.Dead)), out _);
        var expired = clock.Next(View(1, Member(1), highest), out _);
        Assert.True(atBound > 0 && expired > 0);
        Assert.Equal(OrleansMember.MaxRetired, clock.Retired);
    }

    [Fact]
    public void Over_random_histories_the_version_of_one_silo_never_falls()
    {
        for (var seed = 1; seed <= 200; seed++)
        {
            var random = new Random(seed);
            var clock = new TableVersionClock();
            var members = new Dictionary<int, MemberInfo> { [1] = Member(1) };
            var last = clock.Next(View(1, [.. members.Values]), out _);
            for (var step = 0; step < 60; step++)
            {
                var i = random.Next(2, 9);
                if (!members.TryGetValue(i, out var m))
                {
                    members[i] = Member(i, incarnation: (uint)random.Next(0, 3), retired: random.Next(0, 3) == 0 ? random.Next(0, 500) : 0);
                }
                else if (m.Status.IsFinal())
                {
                    if (random.Next(2) == 0) members.Remove(i); // expired
                }
                else
                {
                    var old = OrleansMember.TryParse(m.Metadata)!;
                    members[i] = random.Next(3) == 0
                        ? m with { Status = MemberStatus.Dead }
                        : Member(i, incarnation: m.Incarnation + 1, retired: old.Retired + random.Next(0, 50));
                }
                var view = View(1, [.. members.Values]);
                var version = clock.Next(view, out var raised);
                Assert.True(version >= last, $"seed {seed} step {step}: {version} < {last}");
                if (raised) members[1] = Member(1, incarnation: members[1].Incarnation + 1, retired: clock.Retired);
                last = version;
            }
        }
    }
}
