using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace Heck.Silo.Security;

/// <summary>
/// Counts refused authentications per client address in a fixed window; past the limit, a further refusal is
/// answered 429 instead of 401, which slows a guesser down without touching calls that carry a valid token.
/// An IPv6 client counts by its /64: one host usually holds the whole prefix.
/// </summary>
public sealed class FailedAuthLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public FailedAuthLimiter(int limit, TimeSpan window)
    {
        Window = window;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0, AutoReplenishment = true }));
    }

    public TimeSpan Window { get; }

    /// <summary>Counts a refusal for <paramref name="client"/>; false when it is over the limit for this window.</summary>
    public bool TryRecordFailure(IPAddress? client)
    {
        using var lease = _limiter.AttemptAcquire(Key(client));
        return lease.IsAcquired;
    }

    public static string Key(IPAddress? client)
    {
        if (client is null) return "unknown";
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        if (client.AddressFamily != AddressFamily.InterNetworkV6) return client.ToString();
        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public void Dispose() => _limiter.Dispose();
}
