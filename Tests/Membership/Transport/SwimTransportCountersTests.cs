using System.Buffers.Binary;
using System.Net.Sockets;
using Heck.Membership.Swim;
using Heck.Membership.Transport;
using Heck.Membership.Wire;

namespace Heck.Tests.Membership.Transport;

/// <summary>
/// <see cref="SwimHost.Counters"/>' traffic counts and <see cref="SwimHostOptions.InjectedLossPercent"/>, on real
/// sockets on 127.0.0.1. A host without seeds and members sends nothing by itself, so a test that talks to it
/// through a raw socket knows exactly which bytes crossed.
/// </summary>
public sealed class SwimTransportCountersTests : IAsyncLifetime
{
    private static readonly SwimSettings Fast = FastSwim.Settings with { PushPullInterval = TimeSpan.FromSeconds(1) };

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    private readonly List<SwimHost> _hosts = [];
    private readonly List<Socket> _sockets = [];
    private readonly SwimCodec _codec = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _sockets) s.Dispose();
        foreach (var h in _hosts) await h.DisposeAsync();
    }

    private async Task<SwimHost> StartAsync(SwimHost? seed = null, double loss = 0, int index = 0, SwimSettings? settings = null)
    {
        var host = new SwimHost(new SwimHostOptions { Port = 0, Settings = settings ?? Fast, RandomSeed = index, InjectedLossPercent = loss });
        _hosts.Add(host);
        await host.StartAsync(seed is null ? [] : [("127.0.0.1", seed.Port)]);
        return host;
    }

    private Socket Udp()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _sockets.Add(socket);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static int PortOf(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    /// <summary>Sends <paramref name="count"/> pings to <paramref name="host"/> from the raw socket; returns the bytes sent.</summary>
    private long Ping(Socket from, SwimHost host, int count)
    {
        var me = new NodeId("127.0.0.1", PortOf(from), 1);
        var buffer = new byte[1400];
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            Assert.True(_codec.TryEncode(new Ping(me, (uint)i + 1, host.Self), buffer, buffer.Length, out var written));
            bytes += from.SendTo(buffer.AsSpan(0, written), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, host.Port));
        }
        return bytes;
    }

    private static async Task WaitUntil(Func<bool> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not reached within {Within}:\n{describe()}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Udp_datagrams_and_bytes_are_counted_exactly_both_ways()
    {
        var host = await StartAsync();
        var raw = Udp();
        raw.ReceiveTimeout = (int)Within.TotalMilliseconds;

        var sentBytes = Ping(raw, host, 1);
        var ack = new byte[2048];
        var ackBytes = raw.Receive(ack); // the host answers the ping with one ack
        Assert.True(_codec.TryDecode(ack.AsSpan(0, ackBytes), out var message, out _));
        Assert.IsType<Ack>(message);

        await WaitUntil(() => host.Counters.UdpPacketsSent == 1, () => host.Counters.ToString());
        var c = host.Counters.Snapshot();
        Assert.Equal(1, c.UdpPacketsReceived);
        Assert.Equal(sentBytes, c.UdpBytesReceived);
        Assert.Equal(1, c.UdpPacketsSent);
        Assert.Equal(ackBytes, c.UdpBytesSent);
        Assert.Equal(1, c.Accepted);
        Assert.Equal(0, c.TcpBytesSent + c.TcpBytesReceived);
        Assert.Equal(0, c.TotalDropped);
    }

    [Fact]
    public async Task Tcp_bytes_of_a_push_pull_are_counted_exactly_both_ways()
    {
        var host = await StartAsync();
        // A stateless push-pull (as a client reading the view sends it): the host replies with its full state
        // to the requester's endpoint, a listener here.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var request = new PushPull(new NodeId("127.0.0.1", PortOf(listener), 1), Join: false, Reply: false);
        var size = _codec.PacketSize(request);
        var frame = new byte[4 + size];
        BinaryPrimitives.WriteInt32LittleEndian(frame, size);
        Assert.True(_codec.TryEncode(request, frame.AsSpan(4), size, out _));
        using (var outgoing = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await outgoing.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Port));
            await outgoing.SendAsync(frame, SocketFlags.None);
            outgoing.Shutdown(SocketShutdown.Send);
        }

        using var cts = new CancellationTokenSource(Within);
        using var reply = await listener.AcceptAsync(cts.Token);
        long replyBytes = 0;
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < 10_000; i++) // the host closes after one frame; bounded anyway
        {
            var n = await reply.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0) break;
            replyBytes += n;
        }
        Assert.True(replyBytes > 4, $"reply of {replyBytes} bytes");

        await WaitUntil(() => host.Counters.TcpBytesReceived == frame.Length && host.Counters.TcpBytesSent == replyBytes, () => host.Counters.ToString());
        Assert.Equal(0, host.Counters.UdpPacketsSent + host.Counters.UdpPacketsReceived);
        Assert.Equal(0, host.Counters.TotalDropped);
    }

    [Fact]
    public async Task A_cluster_s_counters_keep_rising_on_every_member()
    {
        var seed = await StartAsync();
        var all = new List<SwimHost> { seed, await StartAsync(seed, index: 1), await StartAsync(seed, index: 2) };
        await WaitUntil(() => all.All(h => h.View.Live.Count() == 3), () => string.Join("\n", all.Select(h => h.Counters.ToString())));
        // Joining is a push-pull over TCP: the joiners sent and the seed received.
        Assert.All(all.Skip(1), h => Assert.True(h.Counters.TcpBytesSent > 0 && h.Counters.TcpBytesReceived > 0, h.Counters.ToString()));
        Assert.True(seed.Counters.TcpBytesReceived > 0 && seed.Counters.TcpBytesSent > 0, seed.Counters.ToString());

        var before = all.Select(h => h.Counters.Snapshot()).ToList();
        // Probes flow every 200 ms and push-pull every second: every count rises on every member.
        await WaitUntil(() => all.Select((h, i) => (Now: h.Counters.Snapshot(), Then: before[i])).All(p =>
                p.Now.UdpPacketsSent > p.Then.UdpPacketsSent && p.Now.UdpBytesSent > p.Then.UdpBytesSent &&
                p.Now.UdpPacketsReceived > p.Then.UdpPacketsReceived && p.Now.UdpBytesReceived > p.Then.UdpBytesReceived &&
                p.Now.TcpBytesSent > p.Then.TcpBytesSent && p.Now.TcpBytesReceived > p.Then.TcpBytesReceived),
            () => string.Join("\n", all.Select(h => h.Counters.ToString())));
        Assert.All(all, h => Assert.Equal(0, h.Counters.TotalDropped));
    }

    [Fact]
    public async Task With_all_loss_no_incoming_datagram_is_delivered_and_every_one_is_counted()
    {
        var lossy = await StartAsync(loss: 100);
        var raw = Udp();
        var bytes = Ping(raw, lossy, 20);

        await WaitUntil(() => lossy.Counters.UdpPacketsReceived == 20, () => lossy.Counters.ToString());
        await WaitUntil(() => lossy.Counters.Dropped(DropReason.Injected) == 20, () => lossy.Counters.ToString());
        Assert.Equal(bytes, lossy.Counters.UdpBytesReceived);
        Assert.Equal(0, lossy.Counters.Accepted); // not one ping reached the protocol…
        Assert.Equal(0, lossy.Counters.UdpPacketsSent); // …so none was answered
    }

    [Fact]
    public async Task With_all_loss_no_outgoing_datagram_leaves_but_tcp_still_works()
    {
        // Slow suspicion, so that neither declares the other dead (which would stop its traffic) during the test.
        var patient = Fast with { SuspicionMult = 32 };
        var normal = await StartAsync(settings: patient);
        var lossy = await StartAsync(normal, loss: 100, index: 1, settings: patient);
        // The join is a push-pull over TCP, which injected loss spares: both learn of each other.
        await lossy.Joined.WaitAsync(Within);
        await WaitUntil(() => normal.View.StatusOf(lossy.Self) is not null, () => normal.Counters.ToString());

        // The lossy host probes its peer and answers its probes, and throws every datagram away: once it has
        // dropped more than it received, some of its drops were outgoing.
        await WaitUntil(() => lossy.Counters.Dropped(DropReason.Injected) > lossy.Counters.UdpPacketsReceived + 5 && lossy.Counters.UdpPacketsReceived > 5,
            () => $"lossy {lossy.Counters}\nnormal {normal.Counters}");
        Assert.Equal(0, lossy.Counters.UdpPacketsSent);
        Assert.Equal(0, normal.Counters.UdpPacketsReceived);
        Assert.True(normal.Counters.UdpPacketsSent > 0, normal.Counters.ToString());
        Assert.Equal(0, normal.Counters.Dropped(DropReason.Injected));
        Assert.True(lossy.Counters.TcpBytesSent > 0 && lossy.Counters.TcpBytesReceived > 0, lossy.Counters.ToString());
    }

    [Fact]
    public async Task A_partial_loss_drops_some_datagrams_and_delivers_others()
    {
        var host = await StartAsync(loss: 50);
        var raw = Udp();
        Ping(raw, host, 200);
        await WaitUntil(() => host.Counters.UdpPacketsReceived == 200, () => host.Counters.ToString());
        // Every received ping was either dropped coming in or delivered; a delivered one's ack may be dropped going out.
        // Dropped in: 200 - accepted; dropped out: accepted - sent. Together with the sent acks: 200.
        await WaitUntil(() => host.Counters.Dropped(DropReason.Injected) + host.Counters.UdpPacketsSent == 200, () => host.Counters.ToString());
        var c = host.Counters.Snapshot();
        Assert.InRange(c.Accepted, 1, 199);                  // 50 % in: all or none is (2^-200) impossible
        Assert.InRange(c.UdpPacketsSent, 0, c.Accepted - 1); // 50 % out of the acks
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void A_loss_outside_0_to_100_is_refused_naming_the_option(double percent)
    {
        var e = Assert.Throws<ArgumentException>(() => new SwimHost(new SwimHostOptions { Port = 0, InjectedLossPercent = percent }));
        Assert.Contains(nameof(SwimHostOptions.InjectedLossPercent), e.Message);
    }
}
