using System.Buffers.Binary;
using System.Text;
using Heck.Membership.Swim;

namespace Heck.Membership.Wire;

/// <summary>Little-endian writer over a span the caller sized with <see cref="SwimCodec"/>'s measurements.</summary>
internal ref struct WireWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    public int Position { get; private set; }

    public void Byte(byte value) => _buffer[Position++] = value;

    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[Position..], value);
        Position += 2;
    }

    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer[Position..], value);
        Position += 8;
    }

    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer[Position..], value);
        Position += 8;
    }

    /// <summary>LEB128: 7 bits a byte, low first.</summary>
    public void VarUInt(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[Position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[Position++] = (byte)value;
    }

    public static int VarUIntSize(ulong value)
    {
        var n = 1;
        while (value >= 0x80) { value >>= 7; n++; }
        return n;
    }

    /// <summary>Length byte, then UTF-8 (the caller checked the length fits a byte).</summary>
    public void ShortString(string value)
    {
        var n = Encoding.UTF8.GetBytes(value, _buffer[(Position + 1)..]);
        _buffer[Position] = (byte)n;
        Position += 1 + n;
    }

    public void Node(NodeId node)
    {
        ShortString(node.Host);
        UInt16((ushort)node.Port);
        Int64(node.Generation);
    }
}
