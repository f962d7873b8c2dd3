using System.Buffers;
using System.Buffers.Binary;
using Heck.Membership.Swim;

namespace Heck.Membership.Wire;

/// <summary>
/// The compact binary format's packets. A packet is <c>version(1) flags(1)</c> then, plain: <c>body</c>;
/// encrypted (flags bit 0): <c>nonce(12) AES-GCM(timestamp-ms(8) body) tag(16)</c> with the two header bytes as
/// associated data. The body is <see cref="SwimBody"/>'s. Integers are little-endian. Decoding checks every
/// length against what is left and never throws; every drop is counted.
/// </summary>
public sealed class SwimCodec
{
    /// <summary>2: every body carries its sender's <see cref="Side"/> (version 1 did not; the two do not mix).</summary>
    public const byte Version = 2;
    private const int HeaderSize = 2;
    private const int TimestampSize = 8;
    private const byte FlagEncrypted = 1;

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

    /// <summary>Size of the whole packet this codec would produce.</summary>
    public int PacketSize(SwimMessage message) => HeaderSize + (_keyring is null ? 0 : EnvelopeOverhead - HeaderSize) + SwimBody.Size(message);

    // ---- encoding ----

    /// <summary>False when the packet would exceed <paramref name="maxLength"/> or <paramref name="destination"/>.</summary>
    public bool TryEncode(SwimMessage message, Span<byte> destination, int maxLength, out int written)
    {
        ArgumentNullException.ThrowIfNull(message);
        written = 0;
        if (message.Updates.Count > ushort.MaxValue) return false;
        var body = SwimBody.Size(message);
        var total = PacketSize(message);
        if (total > maxLength || total > destination.Length) return false;
        destination[0] = Version;
        if (_keyring is null)
        {
            destination[1] = 0;
            SwimBody.Write(message, destination.Slice(HeaderSize, body));
        }
        else
        {
            destination[1] = FlagEncrypted;
            var nonce = destination.Slice(HeaderSize, Keyring.NonceSize);
            var plain = destination.Slice(HeaderSize + Keyring.NonceSize, TimestampSize + body);
            BinaryPrimitives.WriteInt64LittleEndian(plain, _time.GetUtcNow().ToUnixTimeMilliseconds());
            SwimBody.Write(message, plain[TimestampSize..]);
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
        if (!encrypted) return SwimBody.TryRead(packet[HeaderSize..], _hosts, out message) ? DropReason.None : DropReason.Malformed;

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
            return SwimBody.TryRead(plain[TimestampSize..], _hosts, out message) ? DropReason.None : DropReason.Malformed;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
