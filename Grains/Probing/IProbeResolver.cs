using System.Net;

namespace Heck.Grains.Probing;

/// <summary>
/// Turns an origin's host name into addresses for a probe to connect to. A seam: the silo uses DNS
/// (<see cref="DnsProbeResolver"/>); tests map made-up names to loopback addresses without a DNS server.
/// </summary>
public interface IProbeResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver (<see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>).</summary>
public sealed class DnsProbeResolver : IProbeResolver
{
    public static DnsProbeResolver Instance { get; } = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
