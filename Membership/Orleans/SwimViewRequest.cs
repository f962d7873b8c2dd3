using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Heck.Membership.Swim;
using Heck.Membership.Wire;

namespace Heck.Membership.Orleans;

/// <summary>
/// Reads a member's SWIM view from outside the cluster, with the transport unchanged: send it a push-pull request
/// that carries no state (so it learns nothing about us and does not add us as a member) from a short-lived
/// TCP listener, and take its full-state reply, which it sends to the requester's advertised endpoint.
/// Frames are those of <c>SwimHost</c>: a 4-byte little-endian length, then one codec packet.
/// </summary>
internal static class SwimViewRequest
{
    private const int FramePrefix = 4;

    public static async Task<IReadOnlyList<MemberInfo>> ReadViewAsync(SwimEndpoint target, SwimCodec codec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var token = cts.Token;
        try
        {
            var address = await ResolveAsync(target.Host, token).ConfigureAwait(false)
                ?? throw new IOException($"cannot resolve {target.Host}");
            using var outgoing = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await outgoing.ConnectAsync(new IPEndPoint(address, target.Port), token).ConfigureAwait(false);

            // Listen on the interface that reaches the target: that is where its reply can come back to.
            var localAddress = ((IPEndPoint)outgoing.LocalEndPoint!).Address;
            if (localAddress.IsIPv4MappedToIPv6) localAddress = localAddress.MapToIPv4();
            using var listener = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(localAddress, 0));
            listener.Listen(4);
            var me = new NodeId(localAddress.ToString(), ((IPEndPoint)listener.LocalEndPoint!).Port, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

            var request = new PushPull(me, Join: false, Reply: false);
            var size = codec.PacketSize(request);
            var frame = new byte[FramePrefix + size];
            BinaryPrimitives.WriteInt32LittleEndian(frame, size);
            if (!codec.TryEncode(request, frame.AsSpan(FramePrefix), size, out _)) throw new IOException("cannot encode the view request");
            await outgoing.SendAsync(frame, SocketFlags.None, token).ConfigureAwait(false);
            outgoing.Shutdown(SocketShutdown.Send);

            while (true)
            {
                using var connection = await listener.AcceptAsync(token).ConfigureAwait(false);
                if (await ReadFrameAsync(connection, codec, token).ConfigureAwait(false) is PushPull { Reply: true } reply)
                    return Fold(reply.Updates);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{target} did not answer a SWIM view request within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>The full-state updates as one entry per member: the join of its states and its newest metadata.</summary>
    internal static IReadOnlyList<MemberInfo> Fold(IReadOnlyList<MemberUpdate> updates)
    {
        var members = new Dictionary<NodeId, (uint Incarnation, MemberStatus Status, Metadata? Metadata, uint MetadataIncarnation)>();
        foreach (var u in updates)
        {
            if (!members.TryGetValue(u.Node, out var m))
            {
                members[u.Node] = (u.Incarnation, u.Status, u.Metadata, u.Incarnation);
                continue;
            }
            var (incarnation, status) = MemberOrder.Join(m.Incarnation, m.Status, u.Incarnation, u.Status);
            var (metadata, metadataIncarnation) = u.Metadata is not null && (m.Metadata is null || u.Incarnation > m.MetadataIncarnation)
                ? (u.Metadata, u.Incarnation)
                : (m.Metadata, m.MetadataIncarnation);
            members[u.Node] = (incarnation, status, metadata, metadataIncarnation);
        }
        return [.. members.Select(kv => new MemberInfo(kv.Key, kv.Value.Incarnation, kv.Value.Status, kv.Value.Metadata ?? Metadata.Empty))];
    }

    private static async Task<SwimMessage?> ReadFrameAsync(Socket connection, SwimCodec codec, CancellationToken token)
    {
        var prefix = new byte[FramePrefix];
        if (!await ReadExactlyAsync(connection, prefix, token).ConfigureAwait(false)) return null;
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length <= 0 || length > codec.Options.MaxStreamBytes) return null;
        var body = new byte[length];
        if (!await ReadExactlyAsync(connection, body, token).ConfigureAwait(false)) return null;
        return codec.TryDecode(body, codec.Options.MaxStreamBytes, out var message, out _) ? message : null;
    }

    private static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, token).ConfigureAwait(false);
            if (n == 0) return false;
            filled += n;
        }
        return true;
    }

    private static async Task<IPAddress?> ResolveAsync(string host, CancellationToken token)
    {
        if (IPAddress.TryParse(host, out var literal)) return literal;
        var addresses = await Dns.GetHostAddressesAsync(host, token).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
    }
}
