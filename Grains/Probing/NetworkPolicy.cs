using System.Net;

namespace Heck.Grains.Probing;

/// <summary>
/// Which addresses a probe may connect to. The most specific network that holds the address decides: an
/// allow network at least as narrow as the narrowest deny network that holds it lets the address through
/// (so <c>169.254.10.0/24</c> allowed opens that part of the denied <c>169.254.0.0/16</c>, and
/// <c>0.0.0.0/0</c> allowed opens nothing that is denied); an address no deny network holds is allowed.
/// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
/// </summary>
public sealed class NetworkPolicy
{
    public const string DeniedReason = "address denied by policy";

    private readonly IPNetwork[] _deny;
    private readonly IPNetwork[] _allow;

    public NetworkPolicy(IEnumerable<IPNetwork> deny, IEnumerable<IPNetwork> allow)
    {
        _deny = [.. deny];
        _allow = [.. allow];
    }

    /// <summary>The defaults and the configured networks (already validated by <see cref="ProbingOptionsValidator"/>).</summary>
    public static NetworkPolicy From(ProbingOptions options) => new(
        ProbingOptions.DefaultDenyNetworks.Concat(options.DenyNetworks ?? []).Select(n => IPNetwork.Parse(n)),
        (options.AllowNetworks ?? []).Select(n => IPNetwork.Parse(n)));

    /// <summary>Only the default deny networks.</summary>
    public static NetworkPolicy Default { get; } = From(new ProbingOptions());

    public bool Denies(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var denied = Narrowest(_deny, address);
        if (denied < 0) return false;
        return Narrowest(_allow, address) < denied;
    }

    /// <summary>
    /// The <c>url</c> error for a url whose host is an address literal this policy denies, checked at registration;
    /// a name is checked at every probe, against what it resolves to then.
    /// </summary>
    public Heck.Origins.FieldError? CheckLiteral(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IPAddress.TryParse(uri.DnsSafeHost, out var address) || !Denies(address))
            return null;
        return new("url", $"{address} is in a network probes may not reach ({ProbingOptions.SectionName}:DenyNetworks and its defaults; {ProbingOptions.SectionName}:AllowNetworks lifts a denial)");
    }

    /// <summary>Whether any of <paramref name="addresses"/> is denied: one denied address refuses the name.</summary>
    public bool DeniesAny(IEnumerable<IPAddress> addresses) => addresses.Any(Denies);

    /// <summary>The longest prefix among <paramref name="networks"/> that holds <paramref name="address"/>, or -1.</summary>
    private static int Narrowest(IPNetwork[] networks, IPAddress address)
    {
        var best = -1;
        foreach (var n in networks)
            if (n.PrefixLength > best && n.Contains(address)) best = n.PrefixLength;
        return best;
    }
}
