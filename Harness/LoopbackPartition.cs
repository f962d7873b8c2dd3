using System.Net;

namespace Heck.Harness;

/// <summary>
/// A network partition on loopback: an nft table of its own (<c>inet heck_cut_…</c>) that drops every packet between
/// two sets of loopback addresses, both ways, TCP and UDP alike (SWIM and Orleans traffic). Traffic from or to any
/// other address (127.0.0.1: the HTTP API the test reads each side through, the probed targets) passes. The rules sit
/// in prerouting before conntrack's address translation, where a packet carries its sender's and its receiver's own
/// addresses (see <see cref="LoopbackNetwork"/>). <see cref="Heal"/> or dispose deletes the table, as does the test
/// process's exit.
/// </summary>
public sealed class LoopbackPartition : IDisposable
{
    private static readonly List<string> Live = [];

    static LoopbackPartition()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Live)
                foreach (var table in Live) Nft.TryDeleteTable("inet", table);
        };
    }

    private readonly string _table;
    private int _healed;

    private LoopbackPartition(string table, IReadOnlyList<IPAddress> side, IReadOnlyList<IPAddress> other)
    {
        _table = table;
        Side = side;
        Other = other;
    }

    public IReadOnlyList<IPAddress> Side { get; }
    public IReadOnlyList<IPAddress> Other { get; }
    public bool IsHealed => Volatile.Read(ref _healed) != 0;

    /// <summary>Cuts <paramref name="side"/> from <paramref name="other"/>; throws naming <c>.ci/nftables.sh</c> without nft.</summary>
    public static LoopbackPartition Create(IEnumerable<IPAddress> side, IEnumerable<IPAddress> other)
    {
        var a = side.ToList();
        var b = other.ToList();
        if (a.Count == 0 || b.Count == 0) throw new ArgumentException("both sides of a partition need an address");
        if (a.Concat(b).Any(x => !IPAddress.IsLoopback(x) || x.Equals(IPAddress.Loopback) || x.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
            throw new ArgumentException("a partition cuts between IPv4 loopback addresses other than 127.0.0.1");
        if (a.Intersect(b).Any()) throw new ArgumentException("an address cannot be on both sides");
        Nft.EnsureAvailable();
        var table = "heck_cut_" + Guid.NewGuid().ToString("N")[..10];
        var left = "{ " + string.Join(", ", a) + " }";
        var right = "{ " + string.Join(", ", b) + " }";
        Nft.Apply($$"""
            table inet {{table}} {
              chain cut {
                type filter hook prerouting priority -150; policy accept;
                ip saddr {{left}} ip daddr {{right}} drop
                ip saddr {{right}} ip daddr {{left}} drop
              }
            }
            """);
        lock (Live) Live.Add(table);
        return new LoopbackPartition(table, a, b);
    }

    /// <summary>Ends the partition (deletes its table); idempotent.</summary>
    public void Heal()
    {
        if (Interlocked.Exchange(ref _healed, 1) != 0) return;
        Nft.TryDeleteTable("inet", _table);
        lock (Live) Live.Remove(_table);
    }

    public void Dispose() => Heal();

    public override string ToString() => $"{string.Join(",", Side)} | {string.Join(",", Other)}";
}
