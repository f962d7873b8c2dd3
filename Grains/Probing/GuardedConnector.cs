using System.Net;
using System.Net.Sockets;

namespace Heck.Grains.Probing;

/// <summary>
/// How every probe connects: resolve the host, check every address against the <see cref="NetworkPolicy"/>,
/// and only then open a socket. Checked here, at connect time, and not only at registration: a name can
/// resolve to another address at every probe (DNS rebinding), so only the address about to be used counts.
/// </summary>
internal sealed class GuardedConnector(NetworkPolicy policy, IProbeResolver resolver)
{
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        // DnsSafeHost and the HTTP handler give IPv6 literals without brackets; be lenient either way.
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        var addresses = IPAddress.TryParse(bare, out var literal)
            ? [literal]
            : await resolver.ResolveAsync(bare, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        // One denied address refuses the name: a resolver that mixes a public and a metadata address is not trusted.
        if (policy.DeniesAny(addresses)) throw new AddressDeniedException(host);

        SocketException? last = null;
        foreach (var address in addresses)
        {
            // Dual-mode where the OS has IPv6, so one kind of socket reaches IPv4 and IPv6 targets.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, port, cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
                // The failure stands even when the deadline passed meanwhile: a refusal is reported as one.
                if (cancellationToken.IsCancellationRequested) break;
            }
            catch (OperationCanceledException) when (PendingError(socket) is { } error)
            {
                // The kernel had the answer (a refusal, say) but a starved thread pool had not yet run the
                // completion when the deadline cancelled the wait: the answer is the outcome, not a timeout.
                socket.Dispose();
                throw new SocketException((int)error);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>The connect's error the kernel holds for <paramref name="socket"/> (SO_ERROR), if it has one.</summary>
    private static SocketError? PendingError(Socket socket)
    {
        try
        {
            var code = (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            return code == 0 ? null : new SocketException(code).SocketErrorCode;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}

/// <summary>A probe's target resolved to an address the <see cref="NetworkPolicy"/> denies; nothing was sent.</summary>
public sealed class AddressDeniedException(string host) : Exception($"{NetworkPolicy.DeniedReason}: {host}");
