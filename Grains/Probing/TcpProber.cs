using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Heck.Origins;

namespace Heck.Grains.Probing;

/// <summary>
/// Probes <c>tcp://host:port</c> origins: a probe succeeds when a connection opens in time, to an address the
/// <see cref="NetworkPolicy"/> allows.
/// </summary>
public sealed class TcpProber(TimeProvider time, NetworkPolicy? policy = null, IProbeResolver? resolver = null) : IOriginProber
{
    // Parsed once per spec instance, and forgotten with it.
    private readonly ConditionalWeakTable<OriginSpec, Target> _targets = new();
    private readonly GuardedConnector _connector = new(policy ?? NetworkPolicy.Default, resolver ?? DnsProbeResolver.Instance);

    public async Task<ProbeResult> ProbeAsync(OriginSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var deadline = new ProbeDeadline(spec.TimeoutMs, time, cancellationToken);
        try
        {
            var target = _targets.GetValue(spec, static s => Target.Parse(s.Url));
            using var socket = await _connector.ConnectAsync(target.Host, target.Port, deadline.Token).ConfigureAwait(false);
            var result = new ProbeResult(true, deadline.ElapsedMs, null, null);
            // Close with a reset, as HAProxy's checks do: a probe leaves no TIME_WAIT behind, so a
            // high probe rate cannot exhaust local ports.
            socket.LingerState = new LingerOption(true, 0);
            return result;
        }
        catch (OperationCanceledException ex)
        {
            return deadline.Cancelled(ex, cancellationToken);
        }
        catch (SocketException ex)
        {
            return deadline.Fail(Describe(ex));
        }
        catch (AddressDeniedException)
        {
            return deadline.Fail(NetworkPolicy.DeniedReason);
        }
        catch (Exception ex)
        {
            return deadline.Fail($"probe failed: {ex.Message}");
        }
    }

    internal static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData or SocketError.NoRecovery
            => $"DNS: {ex.Message}",
        SocketError.TimedOut => "connect timed out",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.ConnectionReset => "connection reset",
        _ => $"connection failed: {ex.Message}",
    };

    private sealed record Target(string Host, int Port)
    {
        public static Target Parse(string url)
        {
            var uri = new Uri(url, UriKind.Absolute);
            if (uri.Port is <= 0 or > 65535) throw new FormatException($"'{url}' has no port");
            // DnsSafeHost drops IPv6 brackets; an address literal skips name resolution (in the connector).
            return new Target(uri.DnsSafeHost, uri.Port);
        }
    }
}
