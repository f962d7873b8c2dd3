using System.Collections.Concurrent;
using System.Net;
using Heck.Membership.Swim;

namespace Heck.Membership.Transport;

/// <summary>
/// SWIM endpoint → socket address, cached (members are IP literals; names resolve once). Only the names the
/// configuration uses (seeds, our advertised host) are ever looked up: a name that came in a packet is not.
/// </summary>
internal sealed class EndpointResolver(IReadOnlyCollection<string> names)
{
    private const int Capacity = 4096;
    private readonly ConcurrentDictionary<SwimEndpoint, IPEndPoint> _cache = new();

    public async ValueTask<IPEndPoint?> ResolveAsync(SwimEndpoint endpoint, CancellationToken cancellation)
    {
        if (_cache.TryGetValue(endpoint, out var cached)) return cached;
        IPAddress? address;
        if (!IPAddress.TryParse(endpoint.Host, out address))
        {
            if (!names.Contains(endpoint.Host)) return null;
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellation).ConfigureAwait(false);
                address = addresses.FirstOrDefault();
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
            {
                return null;
            }
        }
        if (address is null) return null;
        var result = new IPEndPoint(address, endpoint.Port);
        if (_cache.Count < Capacity) _cache[endpoint] = result;
        return result;
    }

    /// <summary>Without waiting: only literals and already resolved names.</summary>
    public IPEndPoint? TryResolve(SwimEndpoint endpoint)
    {
        if (_cache.TryGetValue(endpoint, out var cached)) return cached;
        if (!IPAddress.TryParse(endpoint.Host, out var address)) return null;
        var result = new IPEndPoint(address, endpoint.Port);
        if (_cache.Count < Capacity) _cache[endpoint] = result;
        return result;
    }
}
