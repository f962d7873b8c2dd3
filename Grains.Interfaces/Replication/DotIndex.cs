using System.Collections.Immutable;

namespace Heck.Replication;

/// <summary>
/// The records of a map by dot, so that finding what a peer lacks costs about what it lacks
/// (a few binary searches per replica) rather than a scan of every record. Derived data: never
/// sent, rebuilt on first use after deserialization.
/// </summary>
internal sealed class DotIndex<TKey>
{
    private sealed record Entry(Dot Dot, TKey Key);

    private sealed class ByDot : IComparer<Entry>
    {
        public int Compare(Entry? x, Entry? y) => x!.Dot.CompareTo(y!.Dot);
    }

    public static readonly DotIndex<TKey> Empty = new(ImmutableSortedSet.Create<Entry>(new ByDot()));

    private readonly ImmutableSortedSet<Entry> _entries;

    private DotIndex(ImmutableSortedSet<Entry> entries) => _entries = entries;

    public static DotIndex<TKey> Build(IEnumerable<(Dot Dot, TKey Key)> records)
    {
        var builder = Empty._entries.ToBuilder();
        foreach (var (dot, key) in records) builder.Add(new Entry(dot, key));
        return new DotIndex<TKey>(builder.ToImmutable());
    }

    public DotIndex<TKey> Replace(Dot? old, Dot dot, TKey key)
    {
        var entries = old is { } o ? _entries.Remove(Probe(o)) : _entries;
        return new DotIndex<TKey>(entries.Add(new Entry(dot, key)));
    }

    public DotIndex<TKey> Remove(IEnumerable<Dot> dots)
    {
        var builder = _entries.ToBuilder();
        foreach (var dot in dots) builder.Remove(Probe(dot));
        return new DotIndex<TKey>(builder.ToImmutable());
    }

    /// <summary>The keys of the records whose dots <paramref name="seen"/> lacks, by dot.</summary>
    public IEnumerable<(Dot Dot, TKey Key)> NotIn(VersionVector seen)
    {
        var i = 0;
        while (i < _entries.Count)
        {
            var replica = _entries[i].Dot.Replica;
            var end = Position(new Dot(replica, long.MaxValue));
            for (var j = Math.Max(i, Position(new Dot(replica, seen[replica] + 1))); j < end; j++)
            {
                var entry = _entries[j];
                if (!seen.Contains(entry.Dot)) yield return (entry.Dot, entry.Key);
            }
            i = end;
        }
    }

    // The index of the first entry at or after dot.
    private int Position(Dot dot)
    {
        var index = _entries.IndexOf(Probe(dot));
        return index >= 0 ? index : ~index;
    }

    private static Entry Probe(Dot dot) => new(dot, default!);
}
