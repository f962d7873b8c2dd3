using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Heck.Membership.Swim;

/// <summary>
/// A few small strings a member publishes about itself (e.g. its Orleans silo address and gateway port).
/// Carried in alive updates and push-pull; bounded so an update always fits a datagram.
/// A change must come with a higher incarnation (see <see cref="SwimInstance.UpdateMetadata"/>).
/// </summary>
public sealed class Metadata : IReadOnlyDictionary<string, string>, IEquatable<Metadata>
{
    public const int MaxEntries = 16;
    public const int MaxKeyBytes = 64;
    public const int MaxValueBytes = 255;
    /// <summary>Upper bound of the encoded size (keeps every update far below a datagram).</summary>
    public const int MaxEncodedBytes = 512;

    public static Metadata Empty { get; } = new(new Dictionary<string, string>(0, StringComparer.Ordinal), trusted: true);

    private readonly Dictionary<string, string> _items;

    /// <summary>Throws <see cref="ArgumentException"/> when a bound is exceeded.</summary>
    public Metadata(IEnumerable<KeyValuePair<string, string>> items)
    {
        _items = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in items)
        {
            if (!_items.TryAdd(key, value)) throw new ArgumentException($"Metadata key '{key}' is repeated.", nameof(items));
        }
        if (Check(_items) is { } error) throw new ArgumentException(error, nameof(items));
        EncodedSize = ComputeSize(_items);
    }

    private Metadata(Dictionary<string, string> items, bool trusted)
    {
        _ = trusted;
        _items = items;
        EncodedSize = ComputeSize(items);
    }

    /// <summary>For the decoder, which has already checked every bound.</summary>
    internal static Metadata FromChecked(Dictionary<string, string> items) => items.Count == 0 ? Empty : new(items, trusted: true);

    /// <summary>Bytes on the wire: count byte, then per entry a key length byte, key, value length byte, value.</summary>
    public int EncodedSize { get; }

    public static string? Check(IReadOnlyDictionary<string, string> items)
    {
        if (items.Count > MaxEntries) return $"Metadata has {items.Count} entries; at most {MaxEntries} are allowed.";
        foreach (var (key, value) in items)
        {
            var k = Encoding.UTF8.GetByteCount(key);
            if (k is 0 or > MaxKeyBytes) return $"Metadata key '{key}' must be 1..{MaxKeyBytes} UTF-8 bytes.";
            if (value is null || Encoding.UTF8.GetByteCount(value) > MaxValueBytes) return $"Metadata value of '{key}' must be at most {MaxValueBytes} UTF-8 bytes.";
        }
        if (ComputeSize(items) > MaxEncodedBytes) return $"Metadata encodes to more than {MaxEncodedBytes} bytes.";
        return null;
    }

    private static int ComputeSize(IReadOnlyDictionary<string, string> items)
    {
        var size = 1;
        foreach (var (key, value) in items) size += 2 + Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        return size;
    }

    public string this[string key] => _items[key];
    public IEnumerable<string> Keys => _items.Keys;
    public IEnumerable<string> Values => _items.Values;
    public int Count => _items.Count;
    public bool ContainsKey(string key) => _items.ContainsKey(key);
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => _items.TryGetValue(key, out value);
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(Metadata? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.Count != Count) return false;
        foreach (var (key, value) in _items)
        {
            if (!other._items.TryGetValue(key, out var v) || !string.Equals(v, value, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as Metadata);

    public override int GetHashCode()
    {
        var hash = 0;
        foreach (var (key, value) in _items) hash ^= HashCode.Combine(key, value); // order-independent
        return hash;
    }

    public override string ToString() => string.Join(",", _items.Select(kv => $"{kv.Key}={kv.Value}"));
}
