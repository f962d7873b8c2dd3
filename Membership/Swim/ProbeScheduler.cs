namespace Heck.Membership.Swim;

/// <summary>
/// Chooses whom to probe: a shuffled round-robin over the members (each is probed at least once every
/// two rounds, SWIM's bounded detection), except that members others suspect and this node has not
/// yet checked itself go first, so independent confirmations (or refutations) arrive within a period
/// or two instead of a whole round.
/// </summary>
internal sealed class ProbeScheduler(Random random)
{
    private readonly List<NodeId> _order = [];
    private readonly Queue<NodeId> _urgent = new();
    private readonly HashSet<NodeId> _urgentSet = [];
    private int _index;

    /// <summary>A new member goes at a random place in what is left of this round (memberlist does the same).</summary>
    public void Add(NodeId node)
    {
        var at = random.Next(_index, _order.Count + 1);
        _order.Insert(at, node);
    }

    /// <summary>Forgets members that left the view (what is left of this round keeps its order).</summary>
    public void Remove(IReadOnlySet<NodeId> nodes)
    {
        if (nodes.Count == 0) return;
        var before = 0;
        for (var i = 0; i < _index && i < _order.Count; i++)
        {
            if (nodes.Contains(_order[i])) before++;
        }
        _order.RemoveAll(nodes.Contains);
        _index -= before;
    }

    public void Prioritize(NodeId node)
    {
        if (_urgentSet.Add(node)) _urgent.Enqueue(node);
    }

    /// <summary>Next member to probe, or null when none is eligible.</summary>
    public NodeId? Next(Func<NodeId, bool> eligible, Func<NodeId, bool> urgentStill)
    {
        while (_urgent.TryDequeue(out var node))
        {
            _urgentSet.Remove(node);
            if (eligible(node) && urgentStill(node)) return node;
        }
        // At most two passes: the rest of this round, then a freshly shuffled one.
        for (var pass = 0; pass < 2; pass++)
        {
            while (_index < _order.Count)
            {
                var node = _order[_index++];
                if (eligible(node)) return node;
            }
            _order.RemoveAll(n => !eligible(n));
            for (var i = _order.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }
            _index = 0;
        }
        return null;
    }
}
