using System.Net;

namespace Heck.Harness;

/// <summary>
/// Hosts on loopback addresses of their own (127.0.Y.2, 127.0.Y.3, …; Y picked at random per network), so that
/// <see cref="LoopbackPartition"/> can cut traffic between them by address. A socket that does not bind its local
/// end (Orleans' and SWIM's outgoing TCP connections) gets 127.0.0.1 as source on loopback, whoever opens it; so the
/// network's own nft table rewrites the source of each new connection a host's process opens to that host's address,
/// recognising the process by the group id it runs under (<see cref="SiloProcess"/> starts it with <c>setpriv</c>).
/// The table exists from <see cref="Create"/> until dispose (and is deleted at process exit if a test did not dispose
/// it), since a connection keeps the source it was opened with. Needs root and nft (<see cref="Nft.Setup"/>).
/// </summary>
public sealed class LoopbackNetwork : IDisposable
{
    private static readonly List<string> Live = [];

    static LoopbackNetwork()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Live)
                foreach (var table in Live) Nft.TryDeleteTable("ip", table);
        };
    }

    private readonly string _table;
    private int _disposed;

    private LoopbackNetwork(string table, IReadOnlyList<LoopbackHost> hosts)
    {
        _table = table;
        Hosts = hosts;
    }

    public IReadOnlyList<LoopbackHost> Hosts { get; }

    /// <summary>Installs the network's table for <paramref name="hosts"/> hosts; throws naming <c>.ci/nftables.sh</c> without nft.</summary>
    public static LoopbackNetwork Create(int hosts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hosts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hosts, 10);
        Nft.EnsureAvailable();
        SiloProcess.EnsureSetpriv();
        var id = Guid.NewGuid().ToString("N")[..10];
        var subnet = Random.Shared.Next(10, 250);
        var firstGroup = 61000 + Random.Shared.Next(0, 400) * 10; // 10 per network: one per host, well away from system ids
        var list = Enumerable.Range(0, hosts)
            .Select(i => new LoopbackHost(IPAddress.Parse($"127.0.{subnet}.{i + 2}"), firstGroup + i))
            .ToList();
        var table = "heck_net_" + id;
        var rules = string.Join("\n", list.Select(h =>
            $"    meta skgid {h.GroupId} ip daddr 127.0.0.0/8 snat to {h.Address}"));
        Nft.Apply($$"""
            table ip {{table}} {
              chain sources {
                type nat hook postrouting priority srcnat; policy accept;
            {{rules}}
              }
            }
            """);
        lock (Live) Live.Add(table);
        return new LoopbackNetwork(table, list);
    }

    /// <summary>Drops all traffic between <paramref name="side"/> and <paramref name="other"/> until the partition is healed or disposed.</summary>
    public LoopbackPartition Cut(IEnumerable<LoopbackHost> side, IEnumerable<LoopbackHost> other) =>
        LoopbackPartition.Create(side.Select(h => h.Address), other.Select(h => h.Address));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Nft.TryDeleteTable("ip", _table);
        lock (Live) Live.Remove(_table);
    }
}
