namespace Heck.Membership.Wire;

/// <summary>
/// Thread-safe counts of accepted packets, of drops by reason, and (for a <c>SwimHost</c>) of the traffic on
/// its sockets: UDP datagrams and bytes, and TCP (push-pull and oversized messages) bytes, sent and received.
/// Received traffic is counted as it comes off the socket, before it is decoded (or dropped); sent traffic
/// as it is handed to the socket, so a datagram lost to injected loss is not counted as sent.
/// </summary>
public sealed class WireCounters
{
    private readonly long[] drops = new long[Enum.GetValues<DropReason>().Length];
    private long accepted;
    private long udpPacketsSent;
    private long udpBytesSent;
    private long udpPacketsReceived;
    private long udpBytesReceived;
    private long tcpBytesSent;
    private long tcpBytesReceived;

    public long Accepted => Interlocked.Read(ref accepted);

    public long Dropped(DropReason reason) => Interlocked.Read(ref drops[(int)reason]);

    public long TotalDropped
    {
        get
        {
            long sum = 0;
            for (var i = 1; i < drops.Length; i++) sum += Interlocked.Read(ref drops[i]);
            return sum;
        }
    }

    /// <summary>Datagrams handed to the UDP socket.</summary>
    public long UdpPacketsSent => Interlocked.Read(ref udpPacketsSent);
    /// <summary>Bytes of those datagrams (SWIM packets, without IP/UDP headers).</summary>
    public long UdpBytesSent => Interlocked.Read(ref udpBytesSent);
    /// <summary>Datagrams read from the UDP socket, including those then dropped.</summary>
    public long UdpPacketsReceived => Interlocked.Read(ref udpPacketsReceived);
    public long UdpBytesReceived => Interlocked.Read(ref udpBytesReceived);
    /// <summary>Bytes written to TCP connections (frames: length prefix and packet).</summary>
    public long TcpBytesSent => Interlocked.Read(ref tcpBytesSent);
    /// <summary>Bytes read from accepted TCP connections.</summary>
    public long TcpBytesReceived => Interlocked.Read(ref tcpBytesReceived);

    /// <summary>Every count at (nearly) one moment: each field is read atomically, the set is not.</summary>
    public WireCountersSnapshot Snapshot() => new(
        Accepted, UdpPacketsSent, UdpBytesSent, UdpPacketsReceived, UdpBytesReceived, TcpBytesSent, TcpBytesReceived,
        Enum.GetValues<DropReason>().Skip(1).ToDictionary(r => r, Dropped));

    internal void Accept() => Interlocked.Increment(ref accepted);

    internal void Drop(DropReason reason) => Interlocked.Increment(ref drops[(int)reason]);

    internal void UdpSent(int bytes)
    {
        Interlocked.Increment(ref udpPacketsSent);
        Interlocked.Add(ref udpBytesSent, bytes);
    }

    internal void UdpReceived(int bytes)
    {
        Interlocked.Increment(ref udpPacketsReceived);
        Interlocked.Add(ref udpBytesReceived, bytes);
    }

    internal void TcpSent(int bytes) => Interlocked.Add(ref tcpBytesSent, bytes);

    internal void TcpReceived(int bytes) => Interlocked.Add(ref tcpBytesReceived, bytes);

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
