using System.Text;

namespace Heck.Grains.Placement;

/// <summary>A candidate for ownership: a stable identity string and a relative capacity (weight &gt; 0).</summary>
public readonly record struct RendezvousNode(string Identity, double Weight = 1);

/// <summary>
/// Highest-random-weight (rendezvous) ranking of nodes for a key. Pure and deterministic: the same
/// (key, identities, weights) rank the same on every silo, process and restart, because the hash
/// is a fixed-seed FNV-1a over UTF-8 bytes with a murmur3 finalizer (never <see cref="HashCode"/>,
/// which is seeded per process). Weighted rendezvous scores a node as −w / ln(u), u = hash in (0, 1);
/// when all weights are equal the raw hashes are compared, so no floating point is involved.
/// Removing a node moves only the keys it owned; adding one moves only keys to it.
/// </summary>
public static class RendezvousRanking
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>The 64-bit score hash of (key, identity); stable across processes and platforms.</summary>
    public static ulong Hash(string key, string identity) => Mix(Continue(KeyState(key), identity));

    /// <summary>Node indices, best first. Exact ties (2⁻⁶⁴) fall back to ordinal identity, then index.</summary>
    public static int[] Rank(string key, IReadOnlyList<RendezvousNode> nodes)
    {
        var scores = Scores(key, nodes);
        var order = new int[nodes.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => Compare(b, a, scores, nodes));
        return order;
    }

    /// <summary>Index of the best node, without allocating (per-node scores are computed on the fly).</summary>
    public static int OwnerIndex(string key, IReadOnlyList<RendezvousNode> nodes)
    {
        if (nodes.Count == 0) throw new ArgumentException("no nodes to rank", nameof(nodes));
        var state = KeyState(key);
        var equal = EqualWeights(nodes);
        int best = 0;
        var bestScore = Score(state, nodes[0], equal);
        for (var i = 1; i < nodes.Count; i++)
        {
            var score = Score(state, nodes[i], equal);
            if (Better(score, nodes[i], bestScore, nodes[best])) (best, bestScore) = (i, score);
        }
        return best;
    }

    public static RendezvousNode Owner(string key, IReadOnlyList<RendezvousNode> nodes) => nodes[OwnerIndex(key, nodes)];

    /// <summary>The owner followed by the next <paramref name="count"/> − 1 nodes (its confirmers).</summary>
    public static RendezvousNode[] Top(string key, IReadOnlyList<RendezvousNode> nodes, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var rank = Rank(key, nodes);
        var top = new RendezvousNode[Math.Min(count, rank.Length)];
        for (var i = 0; i < top.Length; i++) top[i] = nodes[rank[i]];
        return top;
    }

    // Scores as doubles, or as raw hashes reinterpreted (monotone) when weights are equal.
    private static double[] Scores(string key, IReadOnlyList<RendezvousNode> nodes)
    {
        var state = KeyState(key);
        var equal = EqualWeights(nodes);
        var scores = new double[nodes.Count];
        for (var i = 0; i < scores.Length; i++) scores[i] = Score(state, nodes[i], equal);
        return scores;
    }

    private static double Score(ulong keyState, RendezvousNode node, bool equalWeights)
    {
        if (node.Identity is null) throw new ArgumentException("a node has no identity");
        if (!(node.Weight > 0) || double.IsInfinity(node.Weight))
            throw new ArgumentOutOfRangeException(nameof(node), node.Weight, $"weight of {node.Identity} must be finite and > 0");
        var hash = Mix(Continue(keyState, node.Identity));
        // Equal weights: order by hash alone. Top 53 bits keep the double exact and strictly monotone.
        if (equalWeights) return hash >> 11;
        var u = ((hash >> 11) + 0.5) * (1.0 / (1UL << 53)); // in (0, 1), never 0 or 1
        return -node.Weight / Math.Log(u);
    }

    private static bool Better(double score, RendezvousNode node, double otherScore, RendezvousNode other) =>
        score > otherScore || (score == otherScore && string.CompareOrdinal(node.Identity, other.Identity) < 0);

    private static int Compare(int a, int b, double[] scores, IReadOnlyList<RendezvousNode> nodes)
    {
        var c = scores[a].CompareTo(scores[b]);
        if (c != 0) return c;
        c = string.CompareOrdinal(nodes[b].Identity, nodes[a].Identity);
        return c != 0 ? c : b.CompareTo(a);
    }

    private static bool EqualWeights(IReadOnlyList<RendezvousNode> nodes)
    {
        for (var i = 1; i < nodes.Count; i++)
            if (nodes[i].Weight != nodes[0].Weight) return false;
        return true;
    }

    // FNV-1a state after the key and a 0xFF separator (a byte UTF-8 never contains), so
    // ("ab", "c") and ("a", "bc") hash differently; computed once per key, continued per node.
    private static ulong KeyState(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return (Fnv(FnvOffset, key) ^ 0xFF) * FnvPrime;
    }

    private static ulong Continue(ulong state, string identity) => Fnv(state, identity);

    private static ulong Fnv(ulong h, string s)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in s.EnumerateRunes()) // ill-formed surrogates become U+FFFD, as Encoding.UTF8 does
        {
            var n = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < n; i++) h = (h ^ utf8[i]) * FnvPrime;
        }
        return h;
    }

    // murmur3 fmix64: FNV's low bits avalanche poorly on their own.
    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
