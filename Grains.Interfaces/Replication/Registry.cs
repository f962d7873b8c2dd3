using System.Collections.Immutable;
using Heck.Origins;

namespace Heck.Replication;

/// <summary>
/// Origin id → spec, replicated: per id the winning <see cref="RegistryEntry"/> (a spec or a
/// tombstone). Merge keeps the larger entry per id, a join of max-registers, so it is
/// associative, commutative and idempotent.
/// </summary>
[GenerateSerializer, Alias("heck.Registry"), Immutable]
public sealed class Registry : IEquatable<Registry>
{
    public static readonly Registry Empty = new(ImmutableSortedDictionary.Create<string, RegistryEntry>(StringComparer.Ordinal));

    [Id(0)] private readonly ImmutableSortedDictionary<string, RegistryEntry> _entries;
    [NonSerialized] private DotIndex<string>? _byDot; // derived, built on first use

    private Registry(ImmutableSortedDictionary<string, RegistryEntry> entries, DotIndex<string>? byDot = null)
    {
        _entries = entries;
        _byDot = byDot;
    }

    /// <summary>Every entry, tombstones included, by id.</summary>
    public IEnumerable<RegistryEntry> Entries => _entries.Values;

    /// <summary>The live origins, by id.</summary>
    public IEnumerable<RegistryEntry> Live => _entries.Values.Where(e => !e.IsTombstone);

    public int Count => _entries.Count;

    public RegistryEntry? Get(string id) => _entries.GetValueOrDefault(id);

    /// <summary>The current spec, or null when the origin is unknown or removed.</summary>
    public OriginSpec? Spec(string id) => Get(id)?.Spec;

    /// <summary>Joins one entry.</summary>
    public Registry Add(RegistryEntry entry)
    {
        var current = Get(entry.Id);
        if (current is not null && current.CompareTo(entry) >= 0) return this;
        return new Registry(_entries.SetItem(entry.Id, entry), _byDot?.Replace(current?.Dot, entry.Dot, entry.Id));
    }

    public Registry Merge(Registry other)
    {
        if (other._entries.Count > _entries.Count) return other.Merge(this);
        var result = this;
        foreach (var entry in other._entries.Values) result = result.Add(entry);
        return result;
    }

    /// <summary>The entries whose dots <paramref name="seen"/> lacks.</summary>
    public IEnumerable<RegistryEntry> NotIn(VersionVector seen) =>
        (_byDot ??= DotIndex<string>.Build(_entries.Values.Select(e => (e.Dot, e.Id)))).NotIn(seen).Select(d => _entries[d.Key]);

    /// <summary>
    /// Drops the tombstones that every live replica has seen (<paramref name="stableFrontier"/>
    /// holds their dot and every earlier dot of their replica) and that <paramref name="keep"/>
    /// does not hold back. A tombstone only guards against the generation it removed; once
    /// everyone has it and every write that raced with it, no replica can hand that generation
    /// out again (see <see cref="PruneFrontier"/>).
    /// </summary>
    public Registry Prune(VersionVector stableFrontier, Func<RegistryEntry, bool>? keep = null)
    {
        var drop = _entries.Values
            .Where(e => e.IsTombstone && stableFrontier.ContainsPrefix(e.Dot) && keep?.Invoke(e) != true)
            .ToList();
        return drop.Count == 0
            ? this
            : new Registry(_entries.RemoveRange(drop.Select(e => e.Id)), _byDot?.Remove(drop.Select(e => e.Dot)));
    }

    public int EstimatedBytes => 8 + _entries.Values.Sum(e => e.EstimatedBytes);

    public bool Equals(Registry? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (_entries.Count == other._entries.Count && _entries.Values.SequenceEqual(other._entries.Values)));

    public override bool Equals(object? obj) => Equals(obj as Registry);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var entry in _entries.Values) hash.Add(entry);
        return hash.ToHashCode();
    }
}
