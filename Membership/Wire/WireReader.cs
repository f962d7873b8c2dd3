using System.Buffers.Binary;
using System.Text;
using Heck.Membership.Swim;

namespace Heck.Membership.Wire;

/// <summary>
/// Bounds-checked little-endian reader: every read reports failure instead of throwing, and once a read
/// fails every later one fails too, so the decoder can check <see cref="Ok"/> once at the end of a step.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> buffer, HostCache hosts)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public bool Ok { get; private set; } = true;
    public int Remaining => _buffer.Length - _position;

    public byte Byte()
    {
        if (!Ok || Remaining < 1) return Fail<byte>();
        return _buffer[_position++];
    }

    public ushort UInt16()
    {
        if (!Ok || Remaining < 2) return Fail<ushort>();
        var v = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[_position..]);
        _position += 2;
        return v;
    }

    public uint UInt32()
    {
        if (!Ok || Remaining < 4) return Fail<uint>();
        var v = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[_position..]);
        _position += 4;
        return v;
    }

    public long Int64()
    {
        if (!Ok || Remaining < 8) return Fail<long>();
        var v = BinaryPrimitives.ReadInt64LittleEndian(_buffer[_position..]);
        _position += 8;
        return v;
    }

    public ulong UInt64()
    {
        if (!Ok || Remaining < 8) return Fail<ulong>();
        var v = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_position..]);
        _position += 8;
        return v;
    }

    /// <summary>LEB128 of at most <paramref name="maxBytes"/> bytes (10 holds any 64-bit value); longer fails.</summary>
    public ulong VarUInt(int maxBytes = 10)
    {
        ulong value = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            var b = Byte();
            if (!Ok) return 0;
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
        return Fail<ulong>();
    }

    /// <summary>Length byte and UTF-8 text; invalid UTF-8 or a length outside the bounds fails.</summary>
    public string ShortString(int minBytes, int maxBytes)
    {
        var n = Byte();
        if (!Ok || n < minBytes || n > maxBytes || Remaining < n) return Fail<string>(string.Empty);
        var bytes = _buffer.Slice(_position, n);
        _position += n;
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) return Fail<string>(string.Empty);
        return Encoding.UTF8.GetString(bytes);
    }

    public NodeId Node()
    {
        var n = Byte();
        if (!Ok || n < 1 || Remaining < n) return Fail<NodeId>();
        var bytes = _buffer.Slice(_position, n);
        _position += n;
        if (!hosts.TryGet(bytes, out var host)) return Fail<NodeId>();
        var port = UInt16();
        var generation = Int64();
        if (!Ok || port == 0) return Fail<NodeId>();
        return new NodeId(host, port, generation);
    }

    private T Fail<T>(T value = default!)
    {
        Ok = false;
        return value;
    }
}
