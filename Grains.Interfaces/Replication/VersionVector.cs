using System.Collections.Immutable;

namespace Heck.Replication;

/// <summary>
/// The set of dots a replica has seen: per replica the highest counter below which it has seen
/// every dot, plus the few dots seen out of order above it (a delta can overtake an older one).
/// Kept in a normal form (no zero entries, no out-of-order dot that the prefix covers or
/// extends), so equal sets are equal vectors.
/// </summary>
[GenerateSerializer, Alias("heck.VersionVector"), Immutable]
public sealed class VersionVector : IEquatable<VersionVector>
{
    public static readonly VersionVector Empty =
        new(ImmutableSortedDictionary<ReplicaId, long>.Empty, ImmutableSortedSet<Dot>.Empty);

    [Id(0)] private readonly ImmutableSortedDictionary<ReplicaId, long> _contiguous;
    [Id(1)] private readonly ImmutableSortedSet<Dot> _outOfOrder;

    private VersionVector(ImmutableSortedDictionary<ReplicaId, long> contiguous, ImmutableSortedSet<Dot> outOfOrder)
    {
        _contiguous = contiguous;
        _outOfOrder = outOfOrder;
    }

    /// <summary>Replica → n: every dot (replica, 1..n) has been seen.</summary>
    public IReadOnlyDictionary<ReplicaId, long> Contiguous => _contiguous;

    /// <summary>Dots seen above a gap in their replica's prefix.</summary>
    public IReadOnlyCollection<Dot> OutOfOrder => _outOfOrder;

    public bool IsEmpty => _contiguous.IsEmpty && _outOfOrder.IsEmpty;

    /// <summary>The counter below which every dot of <paramref name="replica"/> has been seen.</summary>
    public long this[ReplicaId replica] => _contiguous.GetValueOrDefault(replica);

    /// <summary>The next dot that <paramref name="replica"/> issues, when this is its own vector.</summary>
    public Dot Next(ReplicaId replica) => new(replica, this[replica] + 1);

    public bool Contains(Dot dot) => dot.Counter <= this[dot.Replica] || _outOfOrder.Contains(dot);

    /// <summary>Whether <paramref name="dot"/> and every earlier dot of its replica are in this vector.</summary>
    public bool ContainsPrefix(Dot dot) => dot.Counter <= this[dot.Replica];

    /// <summary>The dots of <paramref name="replica"/> alone.</summary>
    public VersionVector Only(ReplicaId replica)
    {
        var top = this[replica];
        var outOfOrder = _outOfOrder.Where(d => d.Replica == replica).ToImmutableSortedSet();
        if (top == 0 && outOfOrder.IsEmpty) return Empty;
        var contiguous = top > 0 ? Empty._contiguous.Add(replica, top) : Empty._contiguous;
        return new VersionVector(contiguous, outOfOrder);
    }

    /// <summary>This vector without any dot of <paramref name="replicas"/>.</summary>
    public VersionVector Without(IReadOnlySet<ReplicaId> replicas)
    {
        if (replicas.Count == 0 || !(_contiguous.Keys.Any(replicas.Contains) || _outOfOrder.Any(d => replicas.Contains(d.Replica))))
            return this;
        return new VersionVector(_contiguous.RemoveRange(replicas), _outOfOrder.Except(_outOfOrder.Where(d => replicas.Contains(d.Replica))));
    }

    /// <summary>The replicas this vector holds dots of.</summary>
    public IEnumerable<ReplicaId> Replicas => _contiguous.Keys.Concat(_outOfOrder.Select(d => d.Replica)).Distinct();

    /// <summary>The vector of the dots (replica, 1..n) for each given (replica, n).</summary>
    public static VersionVector FromCounters(IEnumerable<KeyValuePair<ReplicaId, long>> counters)
    {
        var contiguous = ImmutableSortedDictionary.CreateBuilder<ReplicaId, long>();
        foreach (var (replica, counter) in counters)
            if (counter > contiguous.GetValueOrDefault(replica)) contiguous[replica] = counter;
        return new VersionVector(contiguous.ToImmutable(), ImmutableSortedSet<Dot>.Empty);
    }

    /// <summary>Whether every dot of <paramref name="other"/> is in this vector.</summary>
    public bool Includes(VersionVector other)
    {
        foreach (var (replica, counter) in other._contiguous)
            if (this[replica] < counter) return false;
        foreach (var dot in other._outOfOrder)
            if (!Contains(dot)) return false;
        return true;
    }

    public VersionVector Add(Dot dot)
    {
        if (dot.Counter < 1) throw new ArgumentOutOfRangeException(nameof(dot), dot, "dot counters start at 1");
        if (Contains(dot)) return this;
        if (dot.Counter != this[dot.Replica] + 1)
            return new VersionVector(_contiguous, _outOfOrder.Add(dot));
        var contiguous = _contiguous.ToBuilder();
        var outOfOrder = _outOfOrder.ToBuilder();
        contiguous[dot.Replica] = dot.Counter;
        Compact(contiguous, outOfOrder, dot.Replica);
        return new VersionVector(contiguous.ToImmutable(), outOfOrder.ToImmutable());
    }

    /// <summary>The union: every dot seen by either.</summary>
    public VersionVector Merge(VersionVector other)
    {
        if (Includes(other)) return this;
        if (other.Includes(this)) return other;
        var contiguous = _contiguous.ToBuilder();
        foreach (var (replica, counter) in other._contiguous)
            if (contiguous.GetValueOrDefault(replica) < counter) contiguous[replica] = counter;
        var outOfOrder = ImmutableSortedSet.CreateBuilder<Dot>();
        foreach (var dot in _outOfOrder.Concat(other._outOfOrder))
            if (dot.Counter > contiguous.GetValueOrDefault(dot.Replica)) outOfOrder.Add(dot);
        foreach (var replica in outOfOrder.Select(d => d.Replica).Distinct().ToList())
            Compact(contiguous, outOfOrder, replica);
        return new VersionVector(contiguous.ToImmutable(), outOfOrder.ToImmutable());
    }

    /// <summary>
    /// The intersection: the dots seen by both. The intersection of the live replicas' vectors
    /// is the stable frontier, what every live replica has seen (the condition for pruning).
    /// </summary>
    public VersionVector Intersect(VersionVector other)
    {
        var contiguous = ImmutableSortedDictionary.CreateBuilder<ReplicaId, long>();
        foreach (var (replica, counter) in _contiguous)
        {
            var min = Math.Min(counter, other[replica]);
            if (min > 0) contiguous[replica] = min;
        }
        var outOfOrder = ImmutableSortedSet.CreateBuilder<Dot>();
        foreach (var dot in _outOfOrder)
            if (other.Contains(dot)) outOfOrder.Add(dot);
        foreach (var dot in other._outOfOrder)
            if (Contains(dot)) outOfOrder.Add(dot);
        foreach (var replica in outOfOrder.Select(d => d.Replica).Distinct().ToList())
            Compact(contiguous, outOfOrder, replica);
        return new VersionVector(contiguous.ToImmutable(), outOfOrder.ToImmutable());
    }

    /// <summary>The stable frontier of several vectors (empty when there are none).</summary>
    public static VersionVector Meet(IEnumerable<VersionVector> vectors)
    {
        VersionVector? result = null;
        foreach (var v in vectors) result = result is null ? v : result.Intersect(v);
        return result ?? Empty;
    }

    // Restores the normal form for one replica: absorb out-of-order dots that now extend the
    // prefix, and drop those it covers.
    private static void Compact(
        ImmutableSortedDictionary<ReplicaId, long>.Builder contiguous, ImmutableSortedSet<Dot>.Builder outOfOrder, ReplicaId replica)
    {
        var top = contiguous.GetValueOrDefault(replica);
        foreach (var dot in outOfOrder.Where(d => d.Replica == replica).ToList())
        {
            if (dot.Counter <= top) outOfOrder.Remove(dot);
            else if (dot.Counter == top + 1)
            {
                top = dot.Counter;
                outOfOrder.Remove(dot);
            }
            else break; // sorted by counter: the rest lie above a gap
        }
        if (top > 0) contiguous[replica] = top;
    }

    public int EstimatedBytes =>
        8 + _contiguous.Sum(e => e.Key.EstimatedBytes + 8) + _outOfOrder.Sum(d => d.EstimatedBytes);

    public bool Equals(VersionVector? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (_contiguous.Count == other._contiguous.Count && _outOfOrder.Count == other._outOfOrder.Count &&
             _contiguous.SequenceEqual(other._contiguous) && _outOfOrder.SequenceEqual(other._outOfOrder)));

    public override bool Equals(object? obj) => Equals(obj as VersionVector);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (replica, counter) in _contiguous) hash.Add(HashCode.Combine(replica, counter));
        foreach (var dot in _outOfOrder) hash.Add(dot);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        "[" + string.Join(", ", _contiguous.Select(e => $"{e.Key}:{e.Value}").Concat(_outOfOrder.Select(d => $"+{d}"))) + "]";
}
