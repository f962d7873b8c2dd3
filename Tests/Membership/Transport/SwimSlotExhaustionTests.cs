using System.Net.Sockets;
using Heck.Membership.Transport;

namespace Heck.Tests.Membership.Transport;

/// <summary>
/// Idle sockets from one address (127.0.0.9) cannot keep a new member from joining through a live seed on
/// 127.0.0.1: each source holds a bounded share of the TCP slots, and a connection that sends nothing gives its
/// slot back after the handshake deadline.
/// </summary>
public sealed class SwimSlotExhaustionTests : IAsyncLifetime
{
    private readonly List<SwimHost> _hosts = [];
    private int _connected;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var h in _hosts) await h.DisposeAsync();
    }

    private async Task<SwimHost> StartAsync(SwimHost? seed, int index)
    {
        var host = new SwimHost(new SwimHostOptions { Port = 0, Settings = FastSwim.Settings, RandomSeed = index });
        _hosts.Add(host);
        await host.StartAsync(seed is null ? [] : [("127.0.0.1", seed.Port)]);
        return host;
    }

    /// <summary>Keeps one idle connection to <paramref name="port"/> open, opening another whenever the host closes it.</summary>
    private async Task<int> HoldAsync(int port, CancellationToken stop)
    {
        var opened = 0;
        var buffer = new byte[16];
        for (; opened < 2_000 && !stop.IsCancellationRequested; opened++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), stop);
                Interlocked.Increment(ref _connected);
                await socket.ReceiveAsync(buffer, SocketFlags.None, stop); // returns when the host closes it
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                await Task.Delay(5, CancellationToken.None);
            }
        }
        return opened;
    }

    [Fact]
    public async Task A_member_joins_while_one_address_holds_a_hundred_idle_connections()
    {
        var seed = await StartAsync(null, 0);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var holders = Enumerable.Range(0, 100).Select(_ => Task.Run(() => HoldAsync(seed.Port, stop.Token))).ToList();
        // The joiner starts once the idle connections hold the slots (every holder connected at least once).
        for (var i = 0; i < 500 && Volatile.Read(ref _connected) < holders.Count; i++) await Task.Delay(10);
        Assert.True(Volatile.Read(ref _connected) >= holders.Count, $"only {_connected} idle connections were made");

        var joiner = await StartAsync(seed, 1);
        var joined = await Task.WhenAny(joiner.Joined, Task.Delay(TimeSpan.FromSeconds(15)));
        await stop.CancelAsync();
        var opened = (await Task.WhenAll(holders)).Sum();

        Assert.True(joined == joiner.Joined && joiner.Joined.IsCompletedSuccessfully,
            $"the joiner did not join within 15 s while {opened} idle connections were opened; seed counters: {seed.Counters}");
        Assert.True(opened > 100, $"the idle connections were closed and reopened ({opened} opened)");
    }
}
