using System.Net;

namespace Heck.Membership.Swim;

/// <summary>
/// Which member addresses a received message may name. A packet must never make a silo resolve a name or
/// contact an address that its configuration did not allow: every node a message names (its sender, a ping's
/// or ping-request's target, every gossiped member and confirmer) must be an IP literal in canonical spelling
/// inside <see cref="Networks"/>, or one of the <see cref="Names"/> the configuration itself uses (the seeds,
/// our own advertised host). A message that names anything else is dropped whole.
/// </summary>
public sealed class AddressPolicy
{
    private readonly HashSet<string> _names;

    public AddressPolicy(IEnumerable<IPNetwork> networks, IEnumerable<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(networks);
        Networks = [.. networks.Distinct()];
        _names = new HashSet<string>(names ?? [], StringComparer.Ordinal);
    }

    public IReadOnlyList<IPNetwork> Networks { get; }

    public IReadOnlyCollection<string> Names => _names;

    /// <summary>
    /// The default: the network around each of <paramref name="hosts"/> that is an IP literal (all of 127.0.0.0/8 for an
    /// IPv4 loopback address, the /24 of any other IPv4 address, the /64 of an IPv6 one, ::1 alone), and each host that is
    /// a name as an allowed name. Wildcards (0.0.0.0, ::) stand for nothing.
    /// </summary>
    public static AddressPolicy Around(IEnumerable<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var networks = new List<IPNetwork>();
        var names = new List<string>();
        foreach (var host in hosts)
        {
            if (!IPAddress.TryParse(host, out var address)) { names.Add(host); continue; }
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) continue;
            networks.Add(NetworkOf(address));
        }
        return new AddressPolicy(networks, names);
    }

    /// <summary>The network <see cref="Around"/> takes for one address.</summary>
    public static IPNetwork NetworkOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? new IPNetwork(IPAddress.Parse("127.0.0.0"), 8) : new IPNetwork(IPAddress.IPv6Loopback, 128);
        var prefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 24 : 64;
        var bytes = address.GetAddressBytes();
        for (var i = prefix / 8; i < bytes.Length; i++) bytes[i] = 0;
        return new IPNetwork(new IPAddress(bytes), prefix);
    }

    /// <summary>Whether a node at <paramref name="host"/> may be named by a received message.</summary>
    public bool Admits(string host)
    {
        if (_names.Contains(host)) return true;
        if (!IPAddress.TryParse(host, out var address)) return false;
        // One spelling per node: "127.000.0.1" or "::ffff:127.0.0.1" would be a second member for the same socket.
        if (address.IsIPv4MappedToIPv6 || !string.Equals(address.ToString(), host, StringComparison.Ordinal)) return false;
        foreach (var network in Networks)
            if (network.Contains(address)) return true;
        return false;
    }

    /// <summary>Whether every node <paramref name="message"/> names is admitted.</summary>
    public bool Admits(SwimMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Admits(message.From.Host)) return false;
        switch (message)
        {
            case Ping ping when !Admits(ping.Target.Host):
            case PingReq req when !Admits(req.Target.Host):
                return false;
        }
        foreach (var update in message.Updates)
        {
            if (!Admits(update.Node.Host)) return false;
            if (update.Confirmer is { } confirmer && !Admits(confirmer.Host)) return false;
        }
        return true;
    }
}
