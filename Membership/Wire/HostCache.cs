using System.Text;

namespace Heck.Membership.Wire;

/// <summary>
/// Interns decoded host names: a cluster has few hosts and every packet names two or more, so this keeps
/// decoding from allocating a string per node id. Bounded; past the bound, hosts are just allocated.
/// </summary>
internal sealed class HostCache
{
    private const int Capacity = 4096;
    private readonly HashSet<string> _hosts = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lock _gate = new();

    public HostCache() => _lookup = _hosts.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>False when the bytes are not valid UTF-8.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, out string host)
    {
        host = string.Empty;
        if (!System.Text.Unicode.Utf8.IsValid(utf8)) return false;
        Span<char> chars = stackalloc char[256];
        var n = Encoding.UTF8.GetChars(utf8, chars);
        var span = chars[..n];
        lock (_gate)
        {
            if (_lookup.TryGetValue(span, out var cached))
            {
                host = cached;
                return true;
            }
            host = new string(span);
            if (_hosts.Count < Capacity) _hosts.Add(host);
        }
        return true;
    }
}
