namespace Heck.Membership.Wire;

/// <summary>
/// Thread-safe counts of accepted packets, of drops by reason, and (for a <c>SwimHost</c>) of the traffic on
/// its sockets: UDP datagrams and bytes, and TCP (push-pull and oversized messages) bytes, sent and received.
/// Received traffic is counted as it comes off the socket, before it is decoded (or dropped); sent traffic
/// as it is handed to the socket, so a datagram lost to injected loss is not counted as sent.
/// </summary>
public sealed class WireCounters
{
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    private long _accepted;
    private long _udpPacketsSent;
    private long _udpBytesSent;
    private long _udpPacketsReceived;
    private long _udpBytesReceived;
    private long _tcpBytesSent;
    private long _tcpBytesReceived;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Dropped(DropReason reason) => Interlocked.Read(ref _drops[(int)reason]);

    public long TotalDropped
    {
        get
        {
            long sum = 0;
            for (var i = 1; i < _drops.Length; i++) sum += Interlocked.Read(ref _drops[i]);
            return sum;
        }
    }

    /// <summary>Datagrams handed to the UDP socket.</summary>
    public long UdpPacketsSent => Interlocked.Read(ref _udpPacketsSent);
    /// <summary>Bytes of those datagrams (SWIM packets, without IP/UDP headers).</summary>
    public long UdpBytesSent => Interlocked.Read(ref _udpBytesSent);
    /// <summary>Datagrams read from the UDP socket, including those then dropped.</summary>
    public long UdpPacketsReceived => Interlocked.Read(ref _udpPacketsReceived);
    public long UdpBytesReceived => Interlocked.Read(ref _udpBytesReceived);
    /// <summary>Bytes written to TCP connections (frames: length prefix and packet).</summary>
    public long TcpBytesSent => Interlocked.Read(ref _tcpBytesSent);
    /// <summary>Bytes read from accepted TCP connections.</summary>
    public long TcpBytesReceived => Interlocked.Read(ref _tcpBytesReceived);

    /// <summary>Every count at (nearly) one moment: each field is read atomically, the set is not.</summary>
    public WireCountersSnapshot Snapshot() => new(
        Accepted, UdpPacketsSent, UdpBytesSent, UdpPacketsReceived, UdpBytesReceived, TcpBytesSent, TcpBytesReceived,
        Enum.GetValues<DropReason>().Skip(1).ToDictionary(r => r, Dropped));

    internal void Accept() => Interlocked.Increment(ref _accepted);

    internal void Drop(DropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    internal void UdpSent(int bytes)
    {
        Interlocked.Increment(ref _udpPacketsSent);
        Interlocked.Add(ref _udpBytesSent, bytes);
    }

    internal void UdpReceived(int bytes)
    {
        Interlocked.Increment(ref _udpPacketsReceived);
        Interlocked.Add(ref _udpBytesReceived, bytes);
    }

    internal void TcpSent(int bytes) => Interlocked.Add(ref _tcpBytesSent, bytes);

    internal void TcpReceived(int bytes) => Interlocked.Add(ref _tcpBytesReceived, bytes);

    public override string ToString() =>
        $"accepted={Accepted} " + string.Join(" ", Enum.GetValues<DropReason>().Skip(1).Select(r => $"{r}={Dropped(r)}")) +
        $" udpSent={UdpPacketsSent}/{UdpBytesSent}B udpReceived={UdpPacketsReceived}/{UdpBytesReceived}B tcpSent={TcpBytesSent}B tcpReceived={TcpBytesReceived}B";
}

/// <summary>The values of a <see cref="WireCounters"/>; <see cref="Dropped"/> has every reason but <see cref="DropReason.None"/>.</summary>
public sealed record WireCountersSnapshot(
    long Accepted,
    long UdpPacketsSent,
    long UdpBytesSent,
    long UdpPacketsReceived,
    long UdpBytesReceived,
    long TcpBytesSent,
    long TcpBytesReceived,
    IReadOnlyDictionary<DropReason, long> Dropped)
{
    /// <summary>Protocol bytes this member put on the network (UDP and TCP).</summary>
    public long BytesSent => UdpBytesSent + TcpBytesSent;
    public long TotalDropped => Dropped.Values.Sum();
}
