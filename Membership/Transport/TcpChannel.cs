using System.Net.Sockets;
using Heck.Membership.Swim;
using Microsoft.Extensions.Logging;

namespace Heck.Membership.Transport;

/// <summary>
/// The host's TCP side: a listener taking one <see cref="TcpFraming"/> frame per connection, and a connection per
/// reliable or oversized send. At most <see cref="SwimHostOptions.MaxTcpConnections"/> exchanges each way, each
/// within <see cref="SwimHostOptions.TcpTimeout"/>; more, slow or broken ones are dropped. An incoming connection must
/// send its frame's length within <see cref="SwimHostOptions.TcpHandshakeTimeout"/>, and one source address holds at
/// most <see cref="SwimHostOptions.MaxTcpConnectionsPerSource"/> slots, so idle sockets cannot starve joins.
/// </summary>
internal sealed class TcpChannel : IDisposable
{
    private readonly Socket _listener;
    private readonly TcpFraming _framing;
    private readonly SwimHostOptions _options;
    private readonly EndpointResolver _resolver;
    private readonly Action<SwimMessage> _deliver;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _outgoing;
    private readonly SemaphoreSlim _incoming;
    private readonly Dictionary<System.Net.IPAddress, int> _perSource = [];

    /// <param name="listener">Bound and listening.</param>
    /// <param name="deliver">Takes each decoded message.</param>
    public TcpChannel(Socket listener, TcpFraming framing, SwimHostOptions options, EndpointResolver resolver, Action<SwimMessage> deliver, ILogger logger)
    {
        _listener = listener;
        _framing = framing;
        _options = options;
        _resolver = resolver;
        _deliver = deliver;
        _logger = logger;
        _outgoing = new SemaphoreSlim(options.MaxTcpConnections);
        _incoming = new SemaphoreSlim(options.MaxTcpConnections);
    }

    public async Task SendAsync(Send send, CancellationToken stopping)
    {
        if (!_outgoing.Wait(0)) return; // saturated: push-pull repeats, joins retry
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            cts.CancelAfter(_options.TcpTimeout);
            var endpoint = await _resolver.ResolveAsync(send.To, cts.Token).ConfigureAwait(false);
            if (endpoint is null) return;
            if (_framing.Frame(send.Message, out var size) is not { } frame)
            {
                if (size > _framing.MaxPacketBytes) _logger.LogWarning("SWIM message of {Size} bytes exceeds the stream limit; not sent", size);
                return;
            }
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endpoint, cts.Token).ConfigureAwait(false);
            await _framing.WriteAsync(socket, frame, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            _logger.LogDebug("SWIM TCP send to {To} failed: {Error}", send.To, e.Message);
        }
        finally
        {
            ReleaseQuietly(_outgoing);
        }
    }

    public async Task AcceptLoop(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }
            var source = (connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address ?? System.Net.IPAddress.None;
            if (!TakeSource(source))
            {
                connection.Dispose();
                continue;
            }
            if (!_incoming.Wait(0))
            {
                ReleaseSource(source);
                connection.Dispose();
                continue;
            }
            _ = HandleConnectionAsync(connection, source, token);
        }
    }

    public void Dispose() => _listener.Dispose();

    private bool TakeSource(System.Net.IPAddress source)
    {
        lock (_perSource)
        {
            var held = _perSource.GetValueOrDefault(source);
            if (held >= _options.MaxTcpConnectionsPerSource) return false;
            _perSource[source] = held + 1;
            return true;
        }
    }

    private void ReleaseSource(System.Net.IPAddress source)
    {
        lock (_perSource)
        {
            if (_perSource.GetValueOrDefault(source) <= 1) _perSource.Remove(source);
            else _perSource[source]--;
        }
    }

    private async Task HandleConnectionAsync(Socket connection, System.Net.IPAddress source, CancellationToken token)
    {
        try
        {
            using var _ = connection;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
            cts.CancelAfter(_options.TcpTimeout);
            if (await _framing.ReadAsync(connection, cts.Token, _options.TcpHandshakeTimeout).ConfigureAwait(false) is { } message) _deliver(message);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // A slow or broken peer: its push-pull is simply lost.
        }
        finally
        {
            ReleaseSource(source);
            ReleaseQuietly(_incoming);
        }
    }

    private static void ReleaseQuietly(SemaphoreSlim semaphore)
    {
        try
        {
            semaphore.Release();
        }
        catch (ObjectDisposedException)
        {
            // the host stopped meanwhile
        }
    }
}
