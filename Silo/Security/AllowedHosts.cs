using System.Net;
using Heck.Silo.Configuration;

namespace Heck.Silo.Security;

/// <summary>
/// The <c>Host</c> names the API answers to, against DNS rebinding: a page on evil.example whose name is made to
/// resolve to this silo sends <c>Host: evil.example</c>, which is refused. An IP-literal host always passes, since
/// such an attack needs a name; so does a request without a Host (HTTP/1.0), which no browser sends.
/// </summary>
public sealed class AllowedHosts
{
    private readonly HashSet<string>? _names;

    /// <param name="names">Names allowed; null allows every host.</param>
    public AllowedHosts(IEnumerable<string>? names) =>
        _names = names?.Select(Normalize).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Heck:Http:AllowedHosts</c>, else localhost, the listen and advertised addresses and the silo's name.</summary>
    public static AllowedHosts From(HeckOptions o)
    {
        var names = o.Http.AllowedHosts ?? [.. new[] { "localhost", o.Http.ListenAddress, o.Silo.AdvertisedAddress, o.Silo.Name }.OfType<string>()];
        return new AllowedHosts(names.Contains("*") ? null : names);
    }

    /// <summary>Whether <paramref name="host"/> (the Host header without its port) is one this API answers to.</summary>
    public bool Allows(string? host)
    {
        if (string.IsNullOrEmpty(host)) return true;
        var name = Normalize(host);
        if (IPAddress.TryParse(name.Trim('[', ']'), out _)) return true;
        return _names is null || _names.Contains(name);
    }

    /// <summary>The fully qualified form (<c>localhost.</c>) is the same name.</summary>
    private static string Normalize(string host) => host.Trim().TrimEnd('.');

    public override string ToString() => _names is null ? "*" : string.Join(", ", _names.Order(StringComparer.Ordinal));
}
