using Heck.Grains.Placement;

namespace Heck.Tests.Placement;

[Trait("Category", "Slow")]
public sealed class RendezvousRankingTests
{
    private static RendezvousNode[] Nodes(int count, int from = 0) =>
        Enumerable.Range(from, count).Select(i => new RendezvousNode($"10.0.0.{i + 1}:11111")).ToArray();

    private static readonly string[] Keys = Enumerable.Range(0, 100_000).Select(i => $"origin-{i:D6}").ToArray();

    private static int[] Owners(IReadOnlyList<RendezvousNode> nodes) =>
        Keys.Select(k => RendezvousRanking.OwnerIndex(k, nodes)).ToArray();

    [Theory] // Pinned: a change here re-places every origin of a running cluster (and was checked against a Python port).
    [InlineData("origin-1", "10.0.0.1:11111", 0x98BE8293CF3C7BE4UL)]
    [InlineData("", "", 0x1BBD5C813C69A8D7UL)]
    [InlineData("héllo-✓", "[::1]:30000", 0xCF7730DE467ED083UL)]
    public void Hash_is_pinned(string key, string identity, ulong expected) =>
        Assert.Equal(expected, RendezvousRanking.Hash(key, identity));

    [Theory]
    [InlineData("api", 2)]
    [InlineData("checkout", 3)]
    [InlineData("origin-000042", 4)]
    [InlineData("db-primary", 2)]
    public void Owner_is_pinned(string key, int owner)
    {
        Assert.Equal(owner, RendezvousRanking.OwnerIndex(key, Nodes(5)));
        Assert.Equal($"10.0.0.{owner + 1}:11111", RendezvousRanking.Owner(key, Nodes(5)).Identity);
    }

    [Fact]
    public void Rank_is_a_deterministic_permutation_led_by_the_owner_and_order_independent()
    {
        var nodes = Nodes(10);
        var reversed = nodes.Reverse().ToArray();
        foreach (var key in Keys.Take(2_000))
        {
            var rank = RendezvousRanking.Rank(key, nodes);
            Assert.Equal(rank, RendezvousRanking.Rank(key, nodes));
            Assert.Equal(Enumerable.Range(0, 10), rank.Order());
            Assert.Equal(RendezvousRanking.OwnerIndex(key, nodes), rank[0]);
            Assert.Equal(rank.Take(3).Select(i => nodes[i]), RendezvousRanking.Top(key, nodes, 3));
            // Silos may list candidates in any order; the identities ranked must not depend on it.
            Assert.Equal(rank.Select(i => nodes[i].Identity), RendezvousRanking.Rank(key, reversed).Select(i => reversed[i].Identity));
        }
        Assert.Equal(10, RendezvousRanking.Top("x", nodes, 50).Length);
    }

    [Fact]
    public void Balance_over_10_nodes_and_100000_keys_is_within_5_percent()
    {
        var counts = new int[10];
        foreach (var o in Owners(Nodes(10))) counts[o]++;
        Assert.InRange(counts.Max() / (Keys.Length / 10.0), 1.0, 1.05); // 1.011 measured
        Assert.InRange(counts.Min() / (Keys.Length / 10.0), 0.95, 1.0);
    }

    [Fact]
    public void A_join_moves_only_keys_to_the_joiner_about_one_in_n()
    {
        var before = Owners(Nodes(10));
        var after = Owners(Nodes(11));
        var moved = Enumerable.Range(0, Keys.Length).Where(k => after[k] != before[k]).ToArray();
        Assert.All(moved, k => Assert.Equal(10, after[k]));
        Assert.InRange(moved.Length / (double)Keys.Length, 1 / 11.0 - 0.005, 1 / 11.0 + 0.005); // 0.0904 measured
    }

    [Fact]
    public void A_leave_moves_exactly_the_leavers_keys()
    {
        var nodes = Nodes(10);
        var before = Owners(nodes);
        var rest = nodes.Where((_, i) => i != 3).ToArray();
        var after = Owners(rest).Select(i => Array.IndexOf(nodes, rest[i])).ToArray();
        for (var k = 0; k < Keys.Length; k++)
            if (before[k] == 3) Assert.NotEqual(3, after[k]);
            else Assert.Equal(before[k], after[k]);
    }

    [Fact]
    public void Weights_give_proportional_shares()
    {
        var nodes = Enumerable.Range(0, 4).Select(i => new RendezvousNode($"10.0.0.{i + 1}:11111", i + 1)).ToArray();
        var counts = new int[4];
        foreach (var o in Owners(nodes)) counts[o]++;
        for (var i = 0; i < 4; i++) Assert.InRange(counts[i] / (double)Keys.Length, (i + 1) / 10.0 - 0.01, (i + 1) / 10.0 + 0.01);
    }

    [Fact]
    public void Equal_weights_of_any_size_rank_like_plain_rendezvous()
    {
        var plain = Nodes(7);
        var heavy = plain.Select(n => n with { Weight = 2.5 }).ToArray();
        foreach (var key in Keys.Take(2_000)) Assert.Equal(RendezvousRanking.Rank(key, plain), RendezvousRanking.Rank(key, heavy));
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => RendezvousRanking.OwnerIndex("k", []));
        Assert.Throws<ArgumentOutOfRangeException>(() => RendezvousRanking.Rank("k", [new("a", 1), new("b", 0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RendezvousRanking.Rank("k", [new("a", 1), new("b", double.NaN)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RendezvousRanking.OwnerIndex("k", [new("a", double.PositiveInfinity)]));
    }
}
