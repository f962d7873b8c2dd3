using System.Text;
using Heck.Membership.Swim;

namespace Heck.Membership.Wire;

/// <summary>
/// The body of a <see cref="SwimCodec"/> packet, what is inside its envelope: <c>type(1) from(node) side fields updates</c>;
/// side is the sender's <see cref="Side"/>, <c>reach(varint, at most 5 bytes) leader(8)</c>;
/// a node is <c>host-length(1) host(UTF-8) port(2) generation(8)</c>; updates are <c>count(2)</c> then
/// <c>node incarnation(4) status(1) flags(1) [confirmer node] [metadata]</c>; metadata is
/// <c>count(1) (key-length(1) key value-length(1) value)*</c>. Integers are little-endian. Reading checks
/// every length and count against what is left and never throws.
/// </summary>
internal static class SwimBody
{
    // Smallest possible update: 1-byte host node (12) + incarnation, status, flags.
    private const int MinUpdateSize = 12 + 6;
    private const int MaxUpdatesPerDatagram = 255;
    /// <summary>Most bytes a <see cref="Side"/> takes (a 5-byte varint reach and the leader hash).</summary>
    private const int SideMaxSize = 5 + 8;

    public static int NodeSize(NodeId node)
    {
        var host = Encoding.UTF8.GetByteCount(node.Host);
        if (host is 0 or > NodeId.MaxHostBytes) throw new ArgumentException($"Host of {node} must be 1..{NodeId.MaxHostBytes} UTF-8 bytes.");
        return 1 + host + 2 + 8;
    }

    public static int UpdateSize(MemberUpdate update) =>
        NodeSize(update.Node) + 6 + (update.Confirmer is { } c ? NodeSize(c) : 0) + (update.Metadata?.EncodedSize ?? 0);

    private static int SideSize(Side side) => WireWriter.VarUIntSize((uint)side.Reach) + 8;

    /// <summary>Size of a body without its updates (but with the update count), for the largest side.</summary>
    public static int BaseSize(SwimMessageType type, NodeId from, NodeId target = default) =>
        1 + NodeSize(from) + SideMaxSize + 2 + type switch
        {
            SwimMessageType.Ping => 4 + NodeSize(target),
            SwimMessageType.PingReq => 4 + NodeSize(target) + 1,
            SwimMessageType.Ack or SwimMessageType.Nack => 4,
            SwimMessageType.PushPull => 1,
            _ => 0,
        };

    /// <summary>Size of a whole body, updates included.</summary>
    public static int Size(SwimMessage message)
    {
        var size = message switch
        {
            Ping p => BaseSize(SwimMessageType.Ping, p.From, p.Target),
            PingReq r => BaseSize(SwimMessageType.PingReq, r.From, r.Target),
            Ack a => BaseSize(SwimMessageType.Ack, a.From),
            Nack n => BaseSize(SwimMessageType.Nack, n.From),
            Gossip g => BaseSize(SwimMessageType.Gossip, g.From),
            PushPull pp => BaseSize(SwimMessageType.PushPull, pp.From),
            _ => throw new ArgumentException($"Unknown message {message.GetType().Name}."),
        } - SideMaxSize + SideSize(message.Side);
        foreach (var u in message.Updates) size += UpdateSize(u);
        return size;
    }

    /// <summary>Writes the body of <paramref name="message"/>; <paramref name="destination"/> is exactly <see cref="Size"/> long.</summary>
    public static void Write(SwimMessage message, Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.Byte((byte)(message switch
        {
            Ping => SwimMessageType.Ping,
            PingReq => SwimMessageType.PingReq,
            Ack => SwimMessageType.Ack,
            Nack => SwimMessageType.Nack,
            Gossip => SwimMessageType.Gossip,
            _ => SwimMessageType.PushPull,
        }));
        w.Node(message.From);
        w.VarUInt((uint)Math.Max(0, message.Side.Reach));
        w.UInt64(message.Side.Leader);
        switch (message)
        {
            case Ping p:
                w.UInt32(p.SeqNo); w.Node(p.Target);
                break;
            case PingReq r:
                w.UInt32(r.SeqNo); w.Node(r.Target); w.Byte(r.WantNack ? (byte)1 : (byte)0);
                break;
            case Ack a:
                w.UInt32(a.SeqNo);
                break;
            case Nack n:
                w.UInt32(n.SeqNo);
                break;
            case PushPull pp:
                w.Byte((byte)((pp.Join ? 1 : 0) | (pp.Reply ? 2 : 0)));
                break;
        }
        w.UInt16((ushort)message.Updates.Count);
        foreach (var u in message.Updates)
        {
            w.Node(u.Node);
            w.UInt32(u.Incarnation);
            w.Byte((byte)u.Status);
            w.Byte((byte)((u.Confirmer is null ? 0 : 1) | (u.Metadata is null ? 0 : 2)));
            if (u.Confirmer is { } c) w.Node(c);
            if (u.Metadata is { } m)
            {
                w.Byte((byte)m.Count);
                foreach (var (key, value) in m)
                {
                    w.ShortString(key);
                    w.ShortString(value);
                }
            }
        }
    }

    /// <summary>False when <paramref name="body"/> is not exactly one well-formed body.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, HostCache hosts, out SwimMessage? message)
    {
        message = null;
        var r = new WireReader(body, hosts);
        var type = (SwimMessageType)r.Byte();
        var from = r.Node();
        var reach = r.VarUInt(5);
        var side = new Side((int)Math.Min(reach, int.MaxValue), r.UInt64());
        if (reach > int.MaxValue) return false;
        uint seq = 0;
        NodeId target = default;
        byte flags = 0;
        switch (type)
        {
            case SwimMessageType.Ping:
                seq = r.UInt32(); target = r.Node();
                break;
            case SwimMessageType.PingReq:
                seq = r.UInt32(); target = r.Node(); flags = r.Byte();
                if (flags > 1) return false;
                break;
            case SwimMessageType.Ack:
            case SwimMessageType.Nack:
                seq = r.UInt32();
                break;
            case SwimMessageType.Gossip:
                break;
            case SwimMessageType.PushPull:
                flags = r.Byte();
                if (flags > 3) return false;
                break;
            default:
                return false;
        }
        var maxUpdates = type == SwimMessageType.PushPull ? ushort.MaxValue : MaxUpdatesPerDatagram;
        if (!r.Ok || !ReadUpdates(ref r, maxUpdates, out var updates) || r.Remaining != 0) return false;
        message = type switch
        {
            SwimMessageType.Ping => new Ping(from, seq, target) { Updates = updates, Side = side },
            SwimMessageType.PingReq => new PingReq(from, seq, target, flags == 1) { Updates = updates, Side = side },
            SwimMessageType.Ack => new Ack(from, seq) { Updates = updates, Side = side },
            SwimMessageType.Nack => new Nack(from, seq) { Updates = updates, Side = side },
            SwimMessageType.Gossip => new Gossip(from) { Updates = updates, Side = side },
            _ => new PushPull(from, (flags & 1) != 0, (flags & 2) != 0) { Updates = updates, Side = side },
        };
        return true;
    }

    private static bool ReadUpdates(ref WireReader r, int maxCount, out MemberUpdate[] updates)
    {
        updates = [];
        int count = r.UInt16();
        // Check the count against what is left before allocating anything for it.
        if (!r.Ok || count > maxCount || count > r.Remaining / MinUpdateSize) return false;
        if (count == 0) return true;
        updates = new MemberUpdate[count];
        for (var i = 0; i < count; i++)
        {
            var node = r.Node();
            var incarnation = r.UInt32();
            var status = r.Byte();
            var flags = r.Byte();
            if (!r.Ok || status > (byte)MemberStatus.Left || flags > 3) return false;
            NodeId? confirmer = (flags & 1) != 0 ? r.Node() : null;
            Metadata? metadata = null;
            if ((flags & 2) != 0 && !ReadMetadata(ref r, out metadata)) return false;
            if (!r.Ok) return false;
            updates[i] = new MemberUpdate(node, incarnation, (MemberStatus)status, confirmer, metadata);
        }
        return true;
    }

    private static bool ReadMetadata(ref WireReader r, out Metadata? metadata)
    {
        metadata = null;
        int count = r.Byte();
        if (!r.Ok || count > Metadata.MaxEntries || count * 2 > r.Remaining) return false;
        var items = new Dictionary<string, string>(count, StringComparer.Ordinal);
        var size = 1;
        for (var i = 0; i < count; i++)
        {
            var key = r.ShortString(1, Metadata.MaxKeyBytes);
            var value = r.ShortString(0, Metadata.MaxValueBytes);
            if (!r.Ok || !items.TryAdd(key, value)) return false;
            size += 2 + Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }
        if (size > Metadata.MaxEncodedBytes) return false;
        metadata = Metadata.FromChecked(items);
        return true;
    }
}
