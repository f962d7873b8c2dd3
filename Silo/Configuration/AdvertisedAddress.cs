using System.Net;
using System.Net.Sockets;

namespace Heck.Silo.Configuration;

/// <summary>
/// The IP address a silo advertises to Orleans and SWIM, from <c>Heck:Silo:AdvertisedAddress</c>:
/// an IP address as it is, or a host name resolved once at start (its first IPv4 address, else
/// its first IPv6 one). Orleans identifies a silo by IP address; a name lets a compose service
/// or a machine's DNS name stand for it.
/// </summary>
public static class AdvertisedAddress
{
    public const string Key = "Heck:Silo:AdvertisedAddress";

    /// <summary>Whether <paramref name="value"/> can be advertised: an IP address or a DNS host name.</summary>
    public static bool IsValid(string? value) =>
        value is not null && (IPAddress.TryParse(value, out _) || Uri.CheckHostName(value) == UriHostNameType.Dns);

    /// <summary>Resolves <paramref name="value"/> with <paramref name="lookup"/>; a name that does not resolve is a configuration error.</summary>
    public static IPAddress Resolve(string value, Func<string, IPAddress[]> lookup)
    {
        if (IPAddress.TryParse(value, out var address)) return address;
        IPAddress[] found;
        try
        {
            found = lookup(value);
        }
        catch (SocketException ex)
        {
            throw new HeckConfigurationException([$"{Key} '{value}' does not resolve: {ex.Message}"]);
        }
        return found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6)
            ?? throw new HeckConfigurationException([$"{Key} '{value}' resolves to no IP address"]);
    }
}
