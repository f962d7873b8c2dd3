using System.Net.Sockets;
using System.Security.Cryptography;
using Heck.Membership.Swim;
using Heck.Membership.Transport;
using Heck.Membership.Wire;

namespace Heck.Tests.Membership.Transport;

/// <summary>Real sockets on 127.0.0.1 with a fast profile so each test takes seconds.</summary>
public sealed class SwimHostTests : IAsyncLifetime
{
    private static readonly SwimSettings Fast = FastSwim.Settings;

    private readonly List<SwimHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var h in _hosts) await h.DisposeAsync();
    }

    private async Task<SwimHost> StartAsync(SwimHost? seed, Keyring? keyring = null, int index = 0)
    {
        var host = new SwimHost(new SwimHostOptions
        {
            Port = 0,
            Settings = Fast,
            Keyring = keyring,
            RandomSeed = index,
            LeavePropagation = TimeSpan.FromMilliseconds(500),
            Metadata = new Metadata([new("index", index.ToString())]),
        });
        _hosts.Add(host);
        await host.StartAsync(seed is null ? [] : [("127.0.0.1", seed.Port)]);
        return host;
    }

    private async Task<List<SwimHost>> ClusterAsync(int n, Keyring? keyring = null)
    {
        var first = await StartAsync(null, keyring);
        var all = new List<SwimHost> { first };
        for (var i = 1; i < n; i++) all.Add(await StartAsync(first, keyring, i));
        await WaitUntil(() => all.All(h => h.View.Live.Count() == n), TimeSpan.FromSeconds(15), () => Describe(all));
        return all;
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {timeout}:\n{describe()}");
            await Task.Delay(50);
        }
    }

    private static string Describe(IEnumerable<SwimHost> all) => string.Join("\n", all.Select(h =>
    {
        try
        {
            return $"{h.Self}: {string.Join(" ", h.View.Members.Select(m => $"{m.Node}={m.Status}"))} | {h.Counters}";
        }
        catch (InvalidOperationException)
        {
            return "(not started)";
        }
    }));

    [Fact]
    public async Task Hosts_form_a_cluster_and_an_abruptly_stopped_one_is_declared_dead()
    {
        var all = await ClusterAsync(4);
        Assert.All(all, h => Assert.True(h.Joined.IsCompletedSuccessfully));
        Assert.Equal("2", all[0].View.Find(all[2].Self)!.Metadata["index"]);
        var changes = new List<MemberStatusChanged>();
        all[0].MembershipChanged += c => { lock (changes) changes.Add(c); };

        var victim = all[3];
        var victimId = victim.Self;
        await victim.DisposeAsync(); // like SIGKILL: no leave
        var survivors = all.Take(3).ToList();
        await WaitUntil(() => survivors.All(h => h.View.StatusOf(victimId) == MemberStatus.Dead), TimeSpan.FromSeconds(20), () => Describe(survivors));
        Assert.All(survivors, h => Assert.All(survivors, o => Assert.Equal(MemberStatus.Alive, h.View.StatusOf(o.Self))));
        await WaitUntil(() => { lock (changes) return changes.Any(c => c.Node == victimId && c.New == MemberStatus.Dead); }, TimeSpan.FromSeconds(5), () => "no event");
        Assert.All(survivors, h => Assert.Equal(0, h.Counters.TotalDropped));
    }

    [Fact]
    public async Task A_graceful_leave_is_seen_as_left()
    {
        var all = await ClusterAsync(3);
        var leaver = all[2];
        var id = leaver.Self;
        var version = all[0].Version;
        await leaver.LeaveAsync();
        await WaitUntil(() => all.Take(2).All(h => h.View.StatusOf(id) == MemberStatus.Left), TimeSpan.FromSeconds(10), () => Describe(all.Take(2)));
        Assert.True(all[0].Version > version);
    }

    [Fact]
    public async Task Encrypted_cluster_forms_and_a_host_with_the_wrong_key_cannot_join()
    {
        var key = new Keyring([RandomNumberGenerator.GetBytes(32)]);
        var all = await ClusterAsync(3, key);
        var intruder = await StartAsync(all[0], new Keyring([RandomNumberGenerator.GetBytes(32)]), 9);
        await WaitUntil(() => all[0].Counters.Dropped(DropReason.AuthFailed) > 0, TimeSpan.FromSeconds(5), () => Describe(all));
        await Task.Delay(Fast.JoinRetryInterval * 3);
        Assert.False(intruder.Joined.IsCompleted);
        Assert.All(all, h => Assert.Null(h.View.StatusOf(intruder.Self)));
        Assert.All(all, h => Assert.Equal(3, h.View.Live.Count()));
        Assert.Equal(0, all[1].Counters.Dropped(DropReason.Malformed));
    }

    [Fact]
    public async Task Garbage_datagrams_are_dropped_and_counted_and_the_host_keeps_working()
    {
        var all = await ClusterAsync(3);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var target = new IPEndPoint(IPAddress.Loopback, all[0].Port);
        var random = new Random(5);
        var sent = 0;
        for (var i = 0; i < 200; i++)
        {
            var packet = new byte[random.Next(1, 1600)];
            random.NextBytes(packet);
            packet[0] = (byte)(i % 2 == 0 ? SwimCodec.Version : packet[0]);
            socket.SendTo(packet, target);
            sent++;
            if (i % 10 == 9) await Task.Delay(5); // paced: a burst could overflow the socket buffer, which is not the point here
        }
        await WaitUntil(() => all[0].Counters.TotalDropped >= sent, TimeSpan.FromSeconds(5), () => all[0].Counters.ToString());
        Assert.True(all[0].Counters.Dropped(DropReason.Malformed) > 0);
        // Still a healthy member: a new host can join through it.
        var late = await StartAsync(all[0], null, 7);
        await WaitUntil(() => all.Append(late).All(h => h.View.Live.Count() == 4), TimeSpan.FromSeconds(10), () => Describe(all.Append(late)));
    }
}
