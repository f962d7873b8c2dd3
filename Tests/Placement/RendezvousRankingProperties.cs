using FsCheck;
using FsCheck.Fluent;
using Heck.Grains.Placement;

namespace Heck.Tests.Placement;

/// <summary>Movement properties for arbitrary keys, node sets and weights (weighted rendezvous keeps them too).</summary>
public sealed class RendezvousRankingProperties
{
    private static RendezvousNode[] Nodes(int count, int salt, bool weighted)
    {
        var random = new Random(salt);
        return Enumerable.Range(0, count)
            .Select(i => new RendezvousNode($"silo-{salt}-{i}", weighted ? 0.25 + random.NextDouble() * 4 : 1))
            .ToArray();
    }

    private static string[] Clean(string[]? keys) => (keys ?? []).Select(k => k ?? "").Append("fixed-key").ToArray();

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Removing_a_node_moves_only_its_keys(string[] keys, PositiveInt count, int salt, int leaver, bool weighted)
    {
        var nodes = Nodes(count.Get % 12 + 2, salt, weighted);
        var gone = (int)((uint)leaver % (uint)nodes.Length);
        var rest = nodes.Where((_, i) => i != gone).ToArray();
        return Clean(keys).All(key =>
        {
            var before = nodes[RendezvousRanking.OwnerIndex(key, nodes)];
            var after = rest[RendezvousRanking.OwnerIndex(key, rest)];
            return before == nodes[gone] ? after != before : after == before;
        }).Label($"{nodes.Length} nodes, without #{gone}");
    }

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Adding_a_node_only_takes_keys(string[] keys, PositiveInt count, int salt, bool weighted)
    {
        var all = Nodes(count.Get % 12 + 2, salt, weighted);
        var before = all[..^1];
        return Clean(keys).All(key =>
        {
            var was = before[RendezvousRanking.OwnerIndex(key, before)];
            var now = all[RendezvousRanking.OwnerIndex(key, all)];
            return now == was || now == all[^1];
        }).Label($"{all.Length} nodes");
    }

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public bool Top_is_the_ranking_prefix_and_starts_with_the_owner(string key, PositiveInt count, int salt, bool weighted)
    {
        var nodes = Nodes(count.Get % 12 + 1, salt, weighted);
        key ??= "";
        var top = RendezvousRanking.Top(key, nodes, 3);
        return top[0] == RendezvousRanking.Owner(key, nodes)
            && top.SequenceEqual(RendezvousRanking.Rank(key, nodes).Take(3).Select(i => nodes[i]));
    }
}
