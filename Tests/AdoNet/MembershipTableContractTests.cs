using Heck.Membership.AdoNet;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService;

namespace Heck.Tests.AdoNet;

/// <summary>
/// Orleans' own ADO.NET membership table class driven directly against our queries: the
/// optimistic-concurrency contract (a write with a stale table version changes nothing),
/// heartbeats, suspicions, cleanup and deletion. Fast: no silo is started.
/// </summary>
[Trait("Category", "Process")]
[Trait("Category", "PostgreSQL")]
[Collection(PostgresCollection.Name)]
public sealed class MembershipTableContractTests(PostgresFixture pg) : IDisposable
{
    private readonly string _clusterId = "contract-" + Guid.NewGuid().ToString("N")[..8];
    private static readonly DateTime Now = TruncateToMs(DateTime.UtcNow);
    private readonly CancellationTokenSource _bound = new(TimeSpan.FromSeconds(60));
    private CancellationToken Ct => _bound.Token;

    private AdoNetClusteringTable NewTable()
    {
        var services = new ServiceCollection().BuildServiceProvider();
        return new AdoNetClusteringTable(services,
            Options.Create(new ClusterOptions { ClusterId = _clusterId, ServiceId = AdoNetSilo.ServiceId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = HeckAdoNetClustering.Invariant, ConnectionString = pg.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
    }

    private static MembershipEntry Entry(int port, SiloStatus status, DateTime? start = null, DateTime? alive = null) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 1000 + port),
        SiloName = $"silo-{port}",
        HostName = "localhost",
        Status = status,
        ProxyPort = port + 1,
        StartTime = start ?? Now,
        IAmAliveTime = alive ?? Now,
    };

    [Fact]
    public async Task Writes_with_the_current_version_succeed_and_stale_ones_change_nothing()
    {
        var table = NewTable();
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, Ct);
        var empty = await table.ReadAllAsync(Ct);
        Assert.Empty(empty.Members);
        Assert.Equal(0, empty.Version.Version);

        var a = Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(a, empty.Version.Next(), Ct));
        Assert.False(await table.InsertRowAsync(a, empty.Version.Next(), Ct));                       // stale version
        Assert.False(await table.InsertRowAsync(Entry(22222, SiloStatus.Joining), empty.Version.Next(), Ct));

        var one = await table.ReadAllAsync(Ct);
        Assert.Equal(1, one.Version.Version);
        var (read, rowEtag) = Assert.Single(one.Members);
        Assert.Equal(a.SiloAddress, read.SiloAddress);
        Assert.Equal(SiloStatus.Joining, read.Status);
        Assert.Equal("silo-11111", read.SiloName);
        Assert.Equal(11112, read.ProxyPort);
        Assert.Equal(a.StartTime, read.StartTime);

        Assert.False(await table.InsertRowAsync(a, one.Version.Next(), Ct));                         // row exists: no change
        Assert.Equal(1, (await table.ReadAllAsync(Ct)).Version.Version);

        a.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(a, rowEtag, one.Version.Next(), Ct));
        Assert.False(await table.UpdateRowAsync(a, rowEtag, one.Version.Next(), Ct));                // stale version
        var two = await table.ReadAllAsync(Ct);
        Assert.Equal(2, two.Version.Version);
        Assert.Equal(SiloStatus.Active, Assert.Single(two.Members).Item1.Status);

        Assert.False(await table.UpdateRowAsync(Entry(33333, SiloStatus.Active), two.Members[0].Item2, two.Version.Next(), Ct)); // no such row
        Assert.Equal(2, (await table.ReadAllAsync(Ct)).Version.Version);

        // A second provider instance sees the same data; initialising again keeps the version.
        var other = NewTable();
        await other.InitializeMembershipTableAsync(tryInitTableVersion: true, Ct);
        Assert.Equal(2, (await other.ReadAllAsync(Ct)).Version.Version);
    }

    [Fact]
    public async Task Exactly_one_of_many_concurrent_writers_with_the_same_version_wins()
    {
        var table = NewTable();
        await table.InitializeMembershipTableAsync(true, Ct);
        var version = (await table.ReadAllAsync(Ct)).Version;

        var tables = Enumerable.Range(0, 8).Select(_ => NewTable()).ToList();
        await Task.WhenAll(tables.Select(t => t.InitializeMembershipTableAsync(false, Ct)));
        var results = await Task.WhenAll(tables.Select((t, i) => t.InsertRowAsync(Entry(40000 + i, SiloStatus.Joining), version.Next(), Ct)));

        Assert.Single(results, won => won);
        var after = await table.ReadAllAsync(Ct);
        Assert.Single(after.Members);
        Assert.Equal(version.Version + 1, after.Version.Version);
    }

    [Fact]
    public async Task Heartbeats_suspicions_and_row_reads_round_trip()
    {
        var table = NewTable();
        await table.InitializeMembershipTableAsync(true, Ct);
        var a = Entry(51111, SiloStatus.Active);
        var b = Entry(52222, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(a, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        Assert.True(await table.InsertRowAsync(b, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        var version = (await table.ReadAllAsync(Ct)).Version.Version;

        a.IAmAliveTime = Now.AddSeconds(5);
        await table.UpdateIAmAliveAsync(a, Ct);
        var row = await table.ReadRowAsync(a.SiloAddress, Ct);
        Assert.Equal(Now.AddSeconds(5), Assert.Single(row.Members).Item1.IAmAliveTime);
        Assert.Equal(version, row.Version.Version);                                          // heartbeats do not bump the version

        var suspicion = Now.AddSeconds(7);
        b.SuspectTimes = [Tuple.Create(a.SiloAddress, suspicion)];
        var bRow = await table.ReadRowAsync(b.SiloAddress, Ct);
        Assert.True(await table.UpdateRowAsync(b, bRow.Members[0].Item2, bRow.Version.Next(), Ct));
        var suspected = Assert.Single((await table.ReadRowAsync(b.SiloAddress, Ct)).Members).Item1;
        var (by, at) = Assert.Single(suspected.SuspectTimes ?? []);
        Assert.Equal(a.SiloAddress, by);
        Assert.Equal(suspicion, at);

        var missing = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 59999, 1), Ct);
        Assert.Empty(missing.Members);
        Assert.Equal(version + 1, missing.Version.Version);
    }

    [Fact]
    public async Task Cleanup_removes_only_old_dead_rows_and_delete_removes_the_cluster()
    {
        var table = NewTable();
        await table.InitializeMembershipTableAsync(true, Ct);
        var longAgo = Now.AddDays(-10);
        var oldDead = Entry(61111, SiloStatus.Dead, start: longAgo, alive: longAgo);
        var oldDeadSuspected = Entry(62222, SiloStatus.Dead, start: longAgo, alive: longAgo);
        var recentDead = Entry(63333, SiloStatus.Dead);
        var oldActive = Entry(64444, SiloStatus.Active, start: longAgo, alive: longAgo);
        foreach (var e in new[] { oldDead, oldDeadSuspected, recentDead, oldActive })
            Assert.True(await table.InsertRowAsync(e, (await table.ReadAllAsync(Ct)).Version.Next(), Ct));
        oldDeadSuspected.SuspectTimes = [Tuple.Create(oldActive.SiloAddress, longAgo.AddMinutes(1))];
        var beforeSuspicion = await table.ReadRowAsync(oldDeadSuspected.SiloAddress, Ct);
        Assert.True(await table.UpdateRowAsync(oldDeadSuspected, beforeSuspicion.Members[0].Item2, beforeSuspicion.Version.Next(), Ct));

        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddDays(-7), Ct);

        var left = (await table.ReadAllAsync(Ct)).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order().ToList();
        Assert.Equal([63333, 64444], left);

        await table.DeleteMembershipTableEntriesAsync(_clusterId, Ct);
        Assert.Empty(await MembershipRow.ReadAsync(pg.ConnectionString, _clusterId));
        Assert.Equal(0L, await SchemaTests.ScalarAsync<long>(pg.ConnectionString,
            $"SELECT count(*) FROM OrleansMembershipVersionTable WHERE DeploymentId = '{_clusterId}'"));
    }

    public void Dispose() => _bound.Dispose();

    private static DateTime TruncateToMs(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
