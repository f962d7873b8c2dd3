namespace Heck.Membership.Swim;

/// <summary>
/// Updates waiting to be piggybacked. Each goes out up to a retransmit limit, fewest-sent (then newest)
/// first, within a byte budget. A newer fact about a member replaces the queued older ones, except that
/// suspicions of one incarnation by different confirmers coexist (each is an independent confirmation).
/// </summary>
internal sealed class BroadcastQueue
{
    private struct Entry
    {
        public MemberUpdate Update;
        public int Size;
        public int Transmits;
        public long Order;
    }

    private readonly List<Entry> _entries = [];
    private long _order;

    public int Count => _entries.Count;

    public void Enqueue(MemberUpdate update, int size)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            var queued = _entries[i].Update;
            if (queued.Node != update.Node) continue;
            var coexists = update.Status == MemberStatus.Suspect && queued.Status == MemberStatus.Suspect
                && queued.Incarnation == update.Incarnation && queued.Confirmer != update.Confirmer;
            if (!coexists) _entries.RemoveAt(i);
        }
        _entries.Add(new Entry { Update = update, Size = size, Order = ++_order });
    }

    /// <summary>Appends updates to <paramref name="into"/> within <paramref name="budget"/> bytes; returns bytes used.</summary>
    public int Take(List<MemberUpdate> into, int budget, int retransmitLimit, int maxCount)
    {
        if (_entries.Count == 0 || budget <= 0) return 0;
        _entries.Sort(static (a, b) => a.Transmits != b.Transmits ? a.Transmits.CompareTo(b.Transmits) : b.Order.CompareTo(a.Order));
        var used = 0;
        var taken = 0;
        for (var i = 0; i < _entries.Count && taken < maxCount; i++)
        {
            var e = _entries[i];
            if (e.Size > budget - used) continue;
            into.Add(e.Update);
            used += e.Size;
            taken++;
            e.Transmits++;
            _entries[i] = e;
        }
        if (taken > 0) _entries.RemoveAll(e => e.Transmits >= retransmitLimit);
        return used;
    }

    /// <summary>Drops every queued update about one of <paramref name="nodes"/> (members that left the view).</summary>
    public void RemoveAll(IReadOnlySet<NodeId> nodes)
    {
        if (nodes.Count > 0) _entries.RemoveAll(e => nodes.Contains(e.Update.Node));
    }

    public void Clear() => _entries.Clear();
}
