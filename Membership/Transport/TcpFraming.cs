using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Heck.Membership.Swim;
using Heck.Membership.Wire;

namespace Heck.Membership.Transport;

/// <summary>
/// SWIM's TCP framing: one frame per connection, a 4-byte little-endian length, then one codec packet of at most
/// <see cref="SwimCodecOptions.MaxStreamBytes"/>. The host's push-pull and the gateway provider's view request
/// share it so both ends agree on it. Bytes sent and received and frames dropped go to the codec's counters.
/// </summary>
internal sealed class TcpFraming(SwimCodec codec)
{
    public const int PrefixSize = 4;

    private readonly SwimCodec _codec = codec;

    /// <summary>Largest packet a frame may carry.</summary>
    public int MaxPacketBytes => _codec.Options.MaxStreamBytes;

    private WireCounters Counters => _codec.Counters;

    /// <summary>The frame of <paramref name="message"/>; null when it cannot be encoded within <see cref="MaxPacketBytes"/>.</summary>
    public byte[]? Frame(SwimMessage message, out int packetSize)
    {
        packetSize = _codec.PacketSize(message);
        if (packetSize > MaxPacketBytes) return null;
        var frame = new byte[PrefixSize + packetSize];
        BinaryPrimitives.WriteInt32LittleEndian(frame, packetSize);
        return _codec.TryEncode(message, frame.AsSpan(PrefixSize), MaxPacketBytes, out _) ? frame : null;
    }

    /// <summary>Sends <paramref name="frame"/> and ends our half of the connection: one frame per connection.</summary>
    public async Task WriteAsync(Socket socket, byte[] frame, CancellationToken token)
    {
        var sent = await socket.SendAsync(frame, SocketFlags.None, token).ConfigureAwait(false);
        Counters.TcpSent(sent);
        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>
    /// Reads and decodes the connection's frame; null when it is cut short, too long or undecodable (counted). With
    /// <paramref name="prefixTimeout"/>, the length prefix must arrive within it (an idle connection gives up its slot
    /// early), else <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<SwimMessage?> ReadAsync(Socket socket, CancellationToken token, TimeSpan? prefixTimeout = null)
    {
        byte[]? body = null;
        try
        {
            var prefix = new byte[PrefixSize];
            bool complete;
            using (var first = CancellationTokenSource.CreateLinkedTokenSource(token))
            {
                if (prefixTimeout is { } limit) first.CancelAfter(limit);
                complete = await ReadExactlyAsync(socket, prefix, first.Token).ConfigureAwait(false);
            }
            if (!complete)
            {
                Counters.Drop(DropReason.Malformed);
                return null;
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
            if (length <= 0 || length > MaxPacketBytes)
            {
                Counters.Drop(length <= 0 ? DropReason.Malformed : DropReason.Oversized);
                return null;
            }
            body = ArrayPool<byte>.Shared.Rent(length);
            if (!await ReadExactlyAsync(socket, body.AsMemory(0, length), token).ConfigureAwait(false))
            {
                Counters.Drop(DropReason.Malformed);
                return null;
            }
            return _codec.TryDecode(body.AsSpan(0, length), MaxPacketBytes, out var message, out _) ? message : null;
        }
        finally
        {
            if (body is not null) ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>False on a clean end of stream before the buffer is full; counts every byte read.</summary>
    private async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        var filled = 0;
        while (filled < buffer.Length) // each pass reads at least one byte or returns
        {
            var n = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, token).ConfigureAwait(false);
            if (n == 0) return false;
            Counters.TcpReceived(n);
            filled += n;
        }
        return true;
    }
}
