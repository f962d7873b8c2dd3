using System.Net;
using System.Net.Sockets;
using Heck.Membership.Swim;
using Heck.Membership.Transport;
using Heck.Membership.Wire;

namespace Heck.Membership.Orleans;

/// <summary>
/// Reads a member's SWIM view from outside the cluster, with the transport unchanged: send it a push-pull request
/// that carries no state (so it learns nothing about us and does not add us as a member) from a short-lived
/// TCP listener, and take its full-state reply, which it sends to the requester's advertised endpoint.
/// Frames are those of <c>SwimHost</c> (<see cref="TcpFraming"/>).
/// </summary>
internal static class SwimViewRequest
{
    public static async Task<IReadOnlyList<MemberInfo>> ReadViewAsync(SwimEndpoint target, SwimCodec codec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var token = cts.Token;
        var framing = new TcpFraming(codec);
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

            var frame = framing.Frame(new PushPull(me, Join: false, Reply: false), out _) ?? throw new IOException("cannot encode the view request");
            await framing.WriteAsync(outgoing, frame, token).ConfigureAwait(false);

            while (true)
            {
                using var connection = await listener.AcceptAsync(token).ConfigureAwait(false);
                if (await framing.ReadAsync(connection, token).ConfigureAwait(false) is PushPull { Reply: true } reply)
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

    private static async Task<IPAddress?> ResolveAsync(string host, CancellationToken token)
    {
        if (IPAddress.TryParse(host, out var literal)) return literal;
        var addresses = await Dns.GetHostAddressesAsync(host, token).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
    }
}
