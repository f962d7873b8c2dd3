namespace Heck.Membership.Swim;

/// <summary>
/// Chooses whom to probe: a shuffled round-robin over the members (each is probed at least once every
/// two rounds, SWIM's bounded detection), except that members others suspect and this node has not
/// yet checked itself go first, so independent confirmations (or refutations) arrive within a period
/// or two instead of a whole round.
/// </summary>
internal sealed class ProbeScheduler(Random random)
{
    private readonly List<NodeId> order = [];
    private readonly Queue<NodeId> urgent = new();
    private readonly HashSet<NodeId> urgentSet = [];
    private int index;

    /// <summary>A new member goes at a random place in what is left of this round (memberlist does the same).</summary>
    public void Add(NodeId node)
    {
        var at = random.Next(index, order.Count + 1);
        order.Insert(at, node);
    }

    public void Prioritize(NodeId node)
    {
        if (urgentSet.Add(node)) urgent.Enqueue(node);
    }

    /// <summary>Next member to probe, or null when none is eligible.</summary>
    public NodeId? Next(Func<NodeId, bool> eligible, Func<NodeId, bool> urgentStill)
    {
        while (urgent.TryDequeue(out var node))
        {
            urgentSet.Remove(node);
            if (eligible(node) && urgentStill(node)) return node;
        }
        // At most two passes: the rest of this round, then a freshly shuffled one.
        for (var pass = 0; pass < 2; pass++)
        {
            while (index < order.Count)
            {
                var node = order[index++];
                if (eligible(node)) return node;
            }
            order.RemoveAll(n => !eligible(n));
            for (var i = order.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            index = 0;
        }
        return null;
    }
}
