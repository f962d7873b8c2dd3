using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Heck.Client.Sdk;

/// <summary>
/// A silo's client gateway as the user writes it: <c>host:port</c>, <c>1.2.3.4:port</c> or
/// <c>[::1]:port</c>. The port may be left out, then it is <see cref="DefaultPort"/>.
/// </summary>
public readonly record struct GatewayAddress(string Host, int Port)
{
    /// <summary>Orleans' default gateway port, which the Heck silo uses too.</summary>
    public const int DefaultPort = 30000;

    /// <summary>Parses <paramref name="text"/>; throws an <see cref="ArgumentException"/> that names it when it is invalid.</summary>
    public static GatewayAddress Parse(string text) =>
        TryParse(text, out var address, out var error)
            ? address
            : throw new ArgumentException($"gateway '{text}' is invalid: {error}", nameof(text));

    public static bool TryParse(string? text, out GatewayAddress address, out string? error)
    {
        address = default;
        error = null;
        var s = text?.Trim();
        if (string.IsNullOrEmpty(s))
        {
            error = "is empty; write host:port";
            return false;
        }

        string host;
        string? port;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0)
            {
                error = "has '[' without ']'; write an IPv6 address as [address]:port";
                return false;
            }
            host = s[1..close];
            var rest = s[(close + 1)..];
            if (rest.Length > 0 && !rest.StartsWith(':'))
            {
                error = "has text after ']' that is not ':port'";
                return false;
            }
            port = rest.Length > 0 ? rest[1..] : null;
            if (!IPAddress.TryParse(host, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{host}' is not an IPv6 address";
                return false;
            }
        }
        else if (s.Count(c => c == ':') > 1)
        {
            // Colons but no brackets: only a bare IPv6 address (default port) makes sense.
            if (!IPAddress.TryParse(s, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = "is not host:port; write an IPv6 address as [address]:port";
                return false;
            }
            host = s;
            port = null;
        }
        else
        {
            var colon = s.IndexOf(':');
            host = colon < 0 ? s : s[..colon];
            port = colon < 0 ? null : s[(colon + 1)..];
            if (host.Length == 0 || Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                error = $"'{host}' is not a host name or IPv4 address";
                return false;
            }
        }

        var number = DefaultPort;
        if (port is not null &&
            (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > 65535))
        {
            error = $"port '{port}' is not a number from 1 to 65535";
            return false;
        }
        address = new GatewayAddress(host, number);
        return true;
    }

    /// <summary>The address as <c>host:port</c>, with brackets around an IPv6 address.</summary>
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The IP end point: an IP address as is, a host name through DNS (IPv4 preferred).</summary>
    public async Task<IPEndPoint> ResolveAsync(CancellationToken cancellationToken = default)
    {
        if (IPAddress.TryParse(Host, out var literal)) return new IPEndPoint(literal, Port);
        var addresses = await Dns.GetHostAddressesAsync(Host, cancellationToken).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
        return new IPEndPoint(chosen, Port);
    }
}
