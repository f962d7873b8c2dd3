using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Heck.Membership.Swim;

namespace Heck.Membership.Wire;

/// <summary>Limits of the codec; defaults fit a 1500-byte MTU and a generous push-pull.</summary>
public sealed record SwimCodecOptions
{
    /// <summary>Largest UDP packet accepted or produced (1400).</summary>
    public int MaxDatagramBytes { get; init; } = 1400;
    /// <summary>Largest TCP frame (push-pull of a big cluster; 4 MiB).</summary>
    public int MaxStreamBytes { get; init; } = 4 << 20;
    /// <summary>Encrypted packets must be stamped within this of our clock (30 s; see <see cref="ReplayGuard"/>).</summary>
    public TimeSpan ReplayWindow { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Nonces remembered for replay detection (65536).</summary>
    public int ReplayCapacity { get; init; } = 65536;
}

/// <summary>
/// The compact binary format. A packet is
/// <c>version(1) flags(1)</c> then, plain: <c>body</c>; encrypted (flags bit 0): <c>nonce(12) AES-GCM(timestamp-ms(8) body) tag(16)</c>
/// with the two header bytes as associated data. A body is <c>type(1) from(node) fields updates</c>;
/// a node is <c>host-length(1) host(UTF-8) port(2) generation(8)</c>; updates are <c>count(2)</c> then
/// <c>node incarnation(4) status(1) flags(1) [confirmer node] [metadata]</c>; metadata is
/// <c>count(1) (key-length(1) key value-length(1) value)*</c>. Integers are little-endian. Decoding checks
/// every length and count against what is left and never throws; every drop is counted.
/// </summary>
public sealed class SwimCodec
{
    public const byte Version = 1;
    private const int HeaderSize = 2;
    private const int TimestampSize = 8;
    private const byte FlagEncrypted = 1;
    // Smallest possible update: 1-byte host node (12) + incarnation, status, flags.
    private const int MinUpdateSize = 12 + 6;
    private const int MaxUpdatesPerDatagram = 255;

    /// <summary>Bytes a packet adds around a body at most (header, nonce, tag, timestamp).</summary>
    public const int EnvelopeOverhead = HeaderSize + Keyring.NonceSize + Keyring.TagSize + TimestampSize;

    private readonly Keyring? _keyring;
    private readonly TimeProvider _time;
    private readonly ReplayGuard? _replay;
    private readonly HostCache _hosts = new();

    public SwimCodec(Keyring? keyring = null, WireCounters? counters = null, TimeProvider? time = null, SwimCodecOptions? options = null)
    {
        _keyring = keyring;
        _time = time ?? TimeProvider.System;
        Options = options ?? new SwimCodecOptions();
        Counters = counters ?? new WireCounters();
        if (keyring is not null) _replay = new ReplayGuard(Options.ReplayWindow, Options.ReplayCapacity);
    }

    public SwimCodecOptions Options { get; }
    public WireCounters Counters { get; }
    public bool Encrypted => _keyring is not null;

    // ---- sizes (pure; the protocol core uses them to fill datagrams) ----

    public static int NodeSize(NodeId node)
    {
        var host = Encoding.UTF8.GetByteCount(node.Host);
        if (host is 0 or > NodeId.MaxHostBytes) throw new ArgumentException($"Host of {node} must be 1..{NodeId.MaxHostBytes} UTF-8 bytes.");
        return 1 + host + 2 + 8;
    }

    public static int UpdateSize(MemberUpdate update) =>
        NodeSize(update.Node) + 6 + (update.Confirmer is { } c ? NodeSize(c) : 0) + (update.Metadata?.EncodedSize ?? 0);

    /// <summary>Size of a body without its updates (but with the update count).</summary>
    public static int BaseSize(SwimMessageType type, NodeId from, NodeId target = default) =>
        1 + NodeSize(from) + 2 + type switch
        {
            SwimMessageType.Ping => 4 + NodeSize(target),
            SwimMessageType.PingReq => 4 + NodeSize(target) + 1,
            SwimMessageType.Ack or SwimMessageType.Nack => 4,
            SwimMessageType.PushPull => 1,
            _ => 0,
        };

    public static int BodySize(SwimMessage message)
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
        };
        foreach (var u in message.Updates) size += UpdateSize(u);
        return size;
    }

    /// <summary>Size of the whole packet this codec would produce.</summary>
    public int PacketSize(SwimMessage message) => HeaderSize + (_keyring is null ? 0 : EnvelopeOverhead - HeaderSize) + BodySize(message);

    // ---- encoding ----

    /// <summary>False when the packet would exceed <paramref name="maxLength"/> or <paramref name="destination"/>.</summary>
    public bool TryEncode(SwimMessage message, Span<byte> destination, int maxLength, out int written)
    {
        ArgumentNullException.ThrowIfNull(message);
        written = 0;
        if (message.Updates.Count > ushort.MaxValue) return false;
        var body = BodySize(message);
        var total = PacketSize(message);
        if (total > maxLength || total > destination.Length) return false;
        destination[0] = Version;
        if (_keyring is null)
        {
            destination[1] = 0;
            WriteBody(message, destination.Slice(HeaderSize, body));
        }
        else
        {
            destination[1] = FlagEncrypted;
            var nonce = destination.Slice(HeaderSize, Keyring.NonceSize);
            var plain = destination.Slice(HeaderSize + Keyring.NonceSize, TimestampSize + body);
            BinaryPrimitives.WriteInt64LittleEndian(plain, _time.GetUtcNow().ToUnixTimeMilliseconds());
            WriteBody(message, plain[TimestampSize..]);
            _keyring.Encrypt(destination[..HeaderSize], nonce, plain, destination.Slice(HeaderSize + Keyring.NonceSize + plain.Length, Keyring.TagSize));
        }
        written = total;
        return true;
    }

    /// <summary>For TCP frames and tests: a new array, or null when over <paramref name="maxLength"/>.</summary>
    public byte[]? Encode(SwimMessage message, int maxLength)
    {
        var buffer = new byte[PacketSize(message)];
        return TryEncode(message, buffer, maxLength, out _) ? buffer : null;
    }

    private static void WriteBody(SwimMessage message, Span<byte> destination)
    {
        var w = new WireWriter(destination);
        switch (message)
        {
            case Ping p:
                w.Byte((byte)SwimMessageType.Ping); w.Node(p.From); w.UInt32(p.SeqNo); w.Node(p.Target);
                break;
            case PingReq r:
                w.Byte((byte)SwimMessageType.PingReq); w.Node(r.From); w.UInt32(r.SeqNo); w.Node(r.Target); w.Byte(r.WantNack ? (byte)1 : (byte)0);
                break;
            case Ack a:
                w.Byte((byte)SwimMessageType.Ack); w.Node(a.From); w.UInt32(a.SeqNo);
                break;
            case Nack n:
                w.Byte((byte)SwimMessageType.Nack); w.Node(n.From); w.UInt32(n.SeqNo);
                break;
            case Gossip g:
                w.Byte((byte)SwimMessageType.Gossip); w.Node(g.From);
                break;
            case PushPull pp:
                w.Byte((byte)SwimMessageType.PushPull); w.Node(pp.From); w.Byte((byte)((pp.Join ? 1 : 0) | (pp.Reply ? 2 : 0)));
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

    // ---- decoding ----

    /// <summary>Decodes a UDP datagram (at most <see cref="SwimCodecOptions.MaxDatagramBytes"/>). Never throws.</summary>
    public bool TryDecode(ReadOnlySpan<byte> packet, out SwimMessage? message, out DropReason reason) =>
        TryDecode(packet, Options.MaxDatagramBytes, out message, out reason);

    /// <summary>Decodes a packet of at most <paramref name="maxLength"/> bytes. Never throws; counts the outcome.</summary>
    public bool TryDecode(ReadOnlySpan<byte> packet, int maxLength, out SwimMessage? message, out DropReason reason)
    {
        reason = Decode(packet, maxLength, out message);
        if (reason == DropReason.None) Counters.Accept();
        else Counters.Drop(reason);
        return reason == DropReason.None;
    }

    private DropReason Decode(ReadOnlySpan<byte> packet, int maxLength, out SwimMessage? message)
    {
        message = null;
        if (packet.Length > maxLength) return DropReason.Oversized;
        if (packet.Length < HeaderSize) return DropReason.Malformed;
        if (packet[0] != Version) return DropReason.UnknownVersion;
        var flags = packet[1];
        if ((flags & ~FlagEncrypted) != 0) return DropReason.Malformed;
        var encrypted = (flags & FlagEncrypted) != 0;
        if (encrypted != (_keyring is not null)) return DropReason.AuthFailed;
        if (!encrypted) return DecodeBody(packet[HeaderSize..], out message) ? DropReason.None : DropReason.Malformed;

        var plainLength = packet.Length - EnvelopeOverhead + TimestampSize;
        if (plainLength <= TimestampSize) return DropReason.Malformed;
        byte[]? rented = null;
        var plain = plainLength <= 2048 ? stackalloc byte[plainLength] : (rented = ArrayPool<byte>.Shared.Rent(plainLength)).AsSpan(0, plainLength);
        try
        {
            var nonce = packet.Slice(HeaderSize, Keyring.NonceSize);
            var cipher = packet.Slice(HeaderSize + Keyring.NonceSize, plainLength);
            var tag = packet.Slice(HeaderSize + Keyring.NonceSize + plainLength, Keyring.TagSize);
            if (!_keyring!.TryDecrypt(packet[..HeaderSize], nonce, cipher, tag, plain)) return DropReason.AuthFailed;
            var sent = BinaryPrimitives.ReadInt64LittleEndian(plain);
            if (!_replay!.Admit(sent, nonce, _time.GetUtcNow().ToUnixTimeMilliseconds())) return DropReason.Replayed;
            return DecodeBody(plain[TimestampSize..], out message) ? DropReason.None : DropReason.Malformed;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool DecodeBody(ReadOnlySpan<byte> body, out SwimMessage? message)
    {
        message = null;
        var r = new WireReader(body, _hosts);
        var type = (SwimMessageType)r.Byte();
        var from = r.Node();
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
            SwimMessageType.Ping => new Ping(from, seq, target) { Updates = updates },
            SwimMessageType.PingReq => new PingReq(from, seq, target, flags == 1) { Updates = updates },
            SwimMessageType.Ack => new Ack(from, seq) { Updates = updates },
            SwimMessageType.Nack => new Nack(from, seq) { Updates = updates },
            SwimMessageType.Gossip => new Gossip(from) { Updates = updates },
            _ => new PushPull(from, (flags & 1) != 0, (flags & 2) != 0) { Updates = updates },
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
