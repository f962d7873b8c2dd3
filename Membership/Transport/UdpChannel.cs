using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Heck.Membership.Swim;
using Heck.Membership.Wire;

namespace Heck.Membership.Transport;

/// <summary>
/// The host's UDP side: one datagram per message of at most <see cref="SwimSettings.MaxDatagramBytes"/>, traffic
/// counted in the codec's counters, and <see cref="SwimHostOptions.InjectedLossPercent"/> applied both ways.
/// </summary>
internal sealed class UdpChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly SwimCodec _codec;
    private readonly SwimHostOptions _options;
    private readonly EndpointResolver _resolver;
    private readonly Action<SwimMessage> _deliver;

    /// <param name="socket">Bound.</param>
    /// <param name="deliver">Takes each decoded message.</param>
    public UdpChannel(Socket socket, SwimCodec codec, SwimHostOptions options, EndpointResolver resolver, Action<SwimMessage> deliver)
    {
        _socket = socket;
        _codec = codec;
        _options = options;
        _resolver = resolver;
        _deliver = deliver;
    }

    private WireCounters Counters => _codec.Counters;
    private int MaxDatagramBytes => _options.Settings.MaxDatagramBytes;

    /// <summary>Whether <paramref name="message"/> fits one datagram.</summary>
    public bool Fits(SwimMessage message) => _codec.PacketSize(message) <= MaxDatagramBytes;

    public void Send(Send send, CancellationToken stopping)
    {
        if (LoseInjected()) return;
        if (_resolver.TryResolve(send.To) is not { } endpoint)
        {
            // A name not resolved yet: resolve in the background; this datagram is lost like any other.
            _ = _resolver.ResolveAsync(send.To, stopping).AsTask();
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagramBytes);
        try
        {
            if (_codec.TryEncode(send.Message, buffer, MaxDatagramBytes, out var written))
            {
                var sent = _socket.SendTo(buffer.AsSpan(0, written), SocketFlags.None, endpoint);
                Counters.UdpSent(sent);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Unreachable peers are what failure detection is for; nothing to do here.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task ReceiveLoop(CancellationToken token)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024);
        EndPoint any = new IPEndPoint(_options.BindAddress.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!token.IsCancellationRequested)
        {
            int received;
            try
            {
                received = (await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false)).ReceivedBytes;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP port unreachable reported for an earlier send
            }
            Counters.UdpReceived(received);
            if (LoseInjected()) continue;
            if (_codec.TryDecode(buffer.AsSpan(0, received), MaxDatagramBytes, out var message, out _)) _deliver(message!);
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>True when injected loss takes this datagram (counted); thread-safe.</summary>
    private bool LoseInjected()
    {
        var percent = _options.InjectedLossPercent;
        if (percent <= 0 || Random.Shared.NextDouble() * 100 >= percent) return false;
        Counters.Drop(DropReason.Injected);
        return true;
    }
}
