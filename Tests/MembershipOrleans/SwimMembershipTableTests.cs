using System.Net.Sockets;
using Heck.Membership.Orleans;
using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Orleans;
using Orleans.Runtime;

namespace Heck.Tests.MembershipOrleans;

/// <summary>The table contract over real SWIM agents on 127.0.0.1, without Orleans silos.</summary>
public sealed class SwimMembershipTableTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly List<SwimMembership> agents = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var a in agents) await a.DisposeAsync();
    }

    private sealed class LocalSilo(SiloAddress address, int gatewayPort) : ILocalSiloDetails
    {
        public string Name => $"silo-{address.Endpoint.Port}";
        public string ClusterId => "table-test";
        public string DnsHostName => "localhost";
        public SiloAddress SiloAddress => address;
        public SiloAddress GatewayAddress => SiloAddress.New(address.Endpoint.Address, gatewayPort, address.Generation);
    }

    private async Task<(SwimMembershipTable Table, SwimMembership Swim, LocalSilo Local)> StartAsync(params string[] seeds)
    {
        var swim = new SwimMembership(new SwimClusteringOptions
        {
            Port = 0,
            BindAddress = "127.0.0.1",
            Seeds = seeds,
            Settings = SwimTestSilo.Fast,
            JoinTimeout = TimeSpan.FromSeconds(10),
            LeavePropagation = TimeSpan.FromMilliseconds(200),
        });
        agents.Add(swim);
        var local = new LocalSilo(SiloAddress.New(IPAddress.Loopback, FreePort.Next(), SiloAddress.AllocateNewGeneration()), FreePort.Next());
        var table = new SwimMembershipTable(swim, local);
        await table.InitializeMembershipTable(true);
        return (table, swim, local);
    }

    private static MembershipEntry Entry(LocalSilo local, SiloStatus status) => new()
    {
        SiloAddress = local.SiloAddress,
        Status = status,
        ProxyPort = local.GatewayAddress.Endpoint.Port,
        HostName = local.DnsHostName,
        SiloName = local.Name,
        StartTime = DateTime.UtcNow,
        IAmAliveTime = DateTime.UtcNow,
    };

    [Fact]
    public async Task Own_row_writes_become_swim_state_with_a_rising_version()
    {
        var (table, swim, local) = await StartAsync();

        var empty = await table.ReadAll();
        Assert.Empty(empty.Members); // Created: not registered with Orleans yet
        Assert.Null((await table.ReadRow(local.SiloAddress)).TryGet(local.SiloAddress));

        Assert.True(await table.InsertRow(Entry(local, SiloStatus.Joining), empty.Version.Next()));
        Assert.False(await table.InsertRow(Entry(local, SiloStatus.Joining), empty.Version.Next())); // the row exists now
        var joining = await table.ReadAll();
        var (row, etag) = joining.TryGet(local.SiloAddress)!;
        Assert.Equal(SiloStatus.Joining, row.Status);
        Assert.Equal(local.GatewayAddress.Endpoint.Port, row.ProxyPort);
        Assert.Equal(local.Name, row.SiloName);
        // Orleans publishes read.Next() after a write; the next read must be newer still.
        Assert.True(joining.Version.Version > empty.Version.Next().Version);

        Assert.False(await table.UpdateRow(Entry(local, SiloStatus.Active), etag + "x", joining.Version.Next()));
        Assert.True(await table.UpdateRow(Entry(local, SiloStatus.Active), etag, joining.Version.Next()));
        var active = await table.ReadAll();
        Assert.Equal(SiloStatus.Active, active.TryGet(local.SiloAddress)!.Item1.Status);
        Assert.True(active.Version.Version > joining.Version.Next().Version);
        Assert.Equal(SiloStatus.Active, (await table.ReadRow(local.SiloAddress)).Members.Single().Item1.Status);

        var selfNode = swim.Self!.Value;
        Assert.True(await table.UpdateRow(Entry(local, SiloStatus.Dead), active.TryGet(local.SiloAddress)!.Item2, active.Version.Next()));
        var dead = await table.ReadAll();
        Assert.Equal(SiloStatus.Dead, dead.TryGet(local.SiloAddress)!.Item1.Status);
        Assert.Equal(MemberStatus.Left, swim.View!.StatusOf(selfNode)); // a graceful SWIM leave
        Assert.True(dead.Version.Version > active.Version.Version);
    }

    [Fact]
    public async Task Writes_about_other_silos_are_refused_and_iamalive_is_a_no_op()
    {
        var (table, _, local) = await StartAsync();
        var before = await table.ReadAll();
        Assert.True(await table.InsertRow(Entry(local, SiloStatus.Active), before.Version.Next()));
        var read = await table.ReadAll();

        var other = new LocalSilo(SiloAddress.New(IPAddress.Loopback, FreePort.Next(), 1), 1);
        Assert.False(await table.InsertRow(Entry(other, SiloStatus.Active), read.Version.Next()));
        Assert.False(await table.UpdateRow(Entry(other, SiloStatus.Dead), "0", read.Version.Next()));
        await table.UpdateIAmAlive(Entry(local, SiloStatus.Active));
        await table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow);
        await table.DeleteMembershipTableEntries("table-test");

        var after = await table.ReadAll();
        Assert.Equal(read.Version, after.Version);
        Assert.Equal(SiloStatus.Active, Assert.Single(after.Members).Item1.Status);
        Assert.Empty(after.Members.Single().Item1.SuspectTimes!);
    }

    [Fact]
    public async Task Two_silos_see_both_rows_and_converge_to_the_same_version()
    {
        var (a, swimA, localA) = await StartAsync();
        var (b, _, localB) = await StartAsync($"127.0.0.1:{swimA.Self!.Value.Port}");
        Assert.True(await a.InsertRow(Entry(localA, SiloStatus.Active), (await a.ReadAll()).Version.Next()));
        Assert.True(await b.InsertRow(Entry(localB, SiloStatus.Active), (await b.ReadAll()).Version.Next()));

        await Eventually.Until(async () => (A: await a.ReadAll(), B: await b.ReadAll()),
            r => r.A.Members.Count == 2 && r.B.Members.Count == 2 && r.A.Version == r.B.Version
                 && r.A.Members.All(m => m.Item1.Status == SiloStatus.Active),
            Bound, "both tables list both silos Active at one version");

        // The gateway list a client gets through either member.
        using var provider = new SwimGatewayListProvider(new SwimGatewayOptions { Seeds = [$"127.0.0.1:{swimA.Self!.Value.Port}"] }, "table-test");
        var gateways = await provider.GetGateways();
        Assert.Equal(
            new[] { localA.GatewayAddress.ToGatewayUri(), localB.GatewayAddress.ToGatewayUri() }.OrderBy(u => u.ToString()),
            gateways.OrderBy(u => u.ToString()));
        using var otherCluster = new SwimGatewayListProvider(new SwimGatewayOptions { Seeds = [$"127.0.0.1:{swimA.Self!.Value.Port}"] }, "another-cluster");
        Assert.Empty(await otherCluster.GetGateways());
    }

    [Fact]
    public async Task A_silo_that_swim_declares_dead_reads_its_own_row_dead()
    {
        var (table, swim, local) = await StartAsync();
        Assert.True(await table.InsertRow(Entry(local, SiloStatus.Active), (await table.ReadAll()).Version.Next()));
        var declared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        swim.DeclaredDead += () => declared.TrySetResult();
        var before = await table.ReadAll();

        // Another member, from a side stronger than this lone silo's, tells it that it is dead.
        var self = swim.Self!.Value;
        var accuser = new NodeId("127.0.0.1", FreePort.Next(), 1);
        var packet = new SwimCodec().Encode(new Gossip(accuser) { Updates = [new MemberUpdate(self, 5, MemberStatus.Dead, accuser)], Side = new Side(3, 0) }, 1400)!;
        using var udp = new UdpClient();
        await udp.SendAsync(packet, new IPEndPoint(IPAddress.Loopback, self.Port));

        await declared.Task.WaitAsync(Bound);
        var after = await table.ReadAll();
        Assert.Equal(SiloStatus.Dead, after.TryGet(local.SiloAddress)!.Item1.Status);
        Assert.True(after.Version.Version > before.Version.Version);
        Assert.True(swim.IsDeclaredDead);
        // A dead generation cannot come back: status writes are refused, a Dead write is accepted.
        var etag = after.TryGet(local.SiloAddress)!.Item2;
        Assert.False(await table.UpdateRow(Entry(local, SiloStatus.ShuttingDown), etag, after.Version.Next()));
        Assert.True(await table.UpdateRow(Entry(local, SiloStatus.Dead), etag, after.Version.Next()));
    }

    [Fact]
    public async Task A_client_with_unreachable_seeds_gets_an_empty_list_quickly()
    {
        using var provider = new SwimGatewayListProvider(new SwimGatewayOptions
        {
            Seeds = [$"127.0.0.1:{FreePort.Next()}"],
            RequestTimeout = TimeSpan.FromMilliseconds(500),
        }, null);
        var gateways = await provider.GetGateways().WaitAsync(Bound);
        Assert.Empty(gateways);
    }
}
