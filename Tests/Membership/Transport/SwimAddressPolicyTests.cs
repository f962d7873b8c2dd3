using System.Net.Sockets;
using Heck.Membership.Swim;
using Heck.Membership.Transport;
using Heck.Membership.Wire;

namespace Heck.Tests.Membership.Transport;

/// <summary>
/// Forged datagrams against a live <see cref="SwimHost"/> on 127.0.0.1, naming only 127.0.0.N addresses and the
/// name "localhost": a member outside the allowed networks, a name the configuration does not use, or a ping-request
/// target that is not a member never gets a packet, and the drops are counted.
/// </summary>
public sealed class SwimAddressPolicyTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);
    private readonly List<SwimHost> _hosts = [];
    private readonly List<Socket> _sockets = [];
    private readonly SwimCodec _codec = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _sockets) s.Dispose();
        foreach (var h in _hosts) await h.DisposeAsync();
    }

    private async Task<SwimHost> StartAsync(IReadOnlyList<System.Net.IPNetwork>? networks = null)
    {
        var host = new SwimHost(new SwimHostOptions { Port = 0, Settings = FastSwim.Settings, RandomSeed = 1, AllowedNetworks = networks });
        _hosts.Add(host);
        await host.StartAsync([]);
        return host;
    }

    private Socket Udp(string address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _sockets.Add(socket);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        socket.ReceiveTimeout = (int)Quiet.TotalMilliseconds;
        return socket;
    }

    private static int PortOf(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    private void Send(Socket from, SwimHost to, SwimMessage message)
    {
        var buffer = new byte[1400];
        Assert.True(_codec.TryEncode(message, buffer, buffer.Length, out var written));
        from.SendTo(buffer.AsSpan(0, written), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, to.Port));
    }

    /// <summary>Whether <paramref name="listener"/> receives any datagram within <see cref="Quiet"/>.</summary>
    private static async Task<bool> HearsAnything(Socket listener)
    {
        using var cts = new CancellationTokenSource(Quiet);
        try
        {
            await listener.ReceiveAsync(new byte[2048], SocketFlags.None, cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WaitUntil(Func<bool> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not reached within 15 s:\n{describe()}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_forged_member_outside_the_allowed_networks_is_dropped_and_never_probed()
    {
        var host = await StartAsync([System.Net.IPNetwork.Parse("127.0.0.0/30")]);
        var forger = Udp("127.0.0.1");
        var outside = Udp("127.0.0.77");
        var inside = Udp("127.0.0.2");
        var me = new NodeId("127.0.0.1", PortOf(forger), 1);

        Send(forger, host, new Gossip(me) { Updates = [new MemberUpdate(new NodeId("127.0.0.77", PortOf(outside), 1), 1, MemberStatus.Alive)] });
        Assert.False(await HearsAnything(outside));
        Assert.Null(host.View.Members.FirstOrDefault(m => m.Node.Host == "127.0.0.77"));
        Assert.Equal(1, host.Counters.Dropped(DropReason.AddressNotAllowed));

        // The same forgery naming an allowed address is taken, and probed: the policy, nothing else, stopped the first.
        Send(forger, host, new Gossip(me) { Updates = [new MemberUpdate(new NodeId("127.0.0.2", PortOf(inside), 1), 1, MemberStatus.Alive)] });
        Assert.True(await HearsAnything(inside));
        Assert.NotNull(host.View.Members.FirstOrDefault(m => m.Node.Host == "127.0.0.2"));
        Assert.Equal(1, host.Counters.Dropped(DropReason.AddressNotAllowed));
    }

    [Fact]
    public async Task A_host_name_in_a_packet_is_never_resolved()
    {
        var host = await StartAsync();
        var forger = Udp("127.0.0.1");
        var target = Udp("127.0.0.1");
        var me = new NodeId("127.0.0.1", PortOf(forger), 1);

        Send(forger, host, new Gossip(me) { Updates = [new MemberUpdate(new NodeId("localhost", PortOf(target), 1), 1, MemberStatus.Alive)] });
        Send(forger, host, new Ping(new NodeId("localhost", PortOf(target), 1), 7, host.Self));
        Assert.False(await HearsAnything(target));
        Assert.DoesNotContain(host.View.Members, m => m.Node.Host == "localhost");
        await WaitUntil(() => host.Counters.Dropped(DropReason.AddressNotAllowed) == 2, () => host.Counters.ToString());
    }

    [Fact]
    public async Task A_ping_request_for_a_non_member_pings_nobody()
    {
        var host = await StartAsync();
        var forger = Udp("127.0.0.1");
        var target = Udp("127.0.0.3");
        var me = new NodeId("127.0.0.1", PortOf(forger), 1);

        Send(forger, host, new PingReq(me, 9, new NodeId("127.0.0.3", PortOf(target), 1), WantNack: true));
        Assert.False(await HearsAnything(target));
        await WaitUntil(() => host.Counters.Accepted >= 1, () => host.Counters.ToString());
        Assert.Equal(0, host.Counters.TotalDropped); // admitted by the policy: the core refused to relay
    }
}
