using Orleans.Runtime;

namespace Heck.Tests.AdoNet;

/// <summary>
/// Real in-process silos whose membership is Orleans' table protocol on the fixture's
/// PostgreSQL, registered with <c>UseHeckAdoNetClustering</c>. Each test has its own cluster id.
/// </summary>
[Trait("Category", "Process")]
[Trait("Category", "PostgreSQL")]
[Collection(PostgresCollection.Name)]
public sealed class AdoNetClusterTests(PostgresFixture pg)
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);
    private readonly string _clusterId = "cluster-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Two_silos_form_a_cluster_and_both_are_active_in_the_table_and_to_each_other()
    {
        await using var a = await AdoNetSilo.StartAsync(pg.ConnectionString, _clusterId, StartBound);
        await using var b = await AdoNetSilo.StartAsync(pg.ConnectionString, _clusterId, StartBound);

        await Bounded.UntilAsync(async () =>
            {
                var rows = await MembershipRow.ReadAsync(pg.ConnectionString, _clusterId);
                return rows.Count == 2 && rows.All(r => r.Status == SiloStatus.Active);
            }, Bound, "both silos Active in OrleansMembershipTable",
            async () => string.Join(", ", await MembershipRow.ReadAsync(pg.ConnectionString, _clusterId)));

        foreach (var silo in new[] { a, b })
        {
            await Bounded.UntilAsync(async () => (await silo.ActiveHostsAsync()).Count == 2, Bound,
                $"silo {silo.SiloPort} sees two active hosts",
                async () => string.Join(", ", (await silo.ActiveHostsAsync()).Keys) + Environment.NewLine + silo.Log);
            var hosts = await silo.ActiveHostsAsync();
            Assert.Equal(new[] { a.SiloPort, b.SiloPort }.Order(), hosts.Keys.Select(h => h.Endpoint.Port).Order());
        }

        var rows = await MembershipRow.ReadAsync(pg.ConnectionString, _clusterId);
        Assert.Equal(new[] { a.GatewayPort, b.GatewayPort }.Order(), rows.Select(r => r.ProxyPort ?? 0).Order());
        Assert.Equal([a.Address.Generation, b.Address.Generation], rows.OrderBy(r => r.Port == a.SiloPort ? 0 : 1).Select(r => r.Generation));
    }

    [Fact]
    public async Task A_client_finds_the_gateways_in_the_table_and_calls_grains()
    {
        await using var a = await AdoNetSilo.StartAsync(pg.ConnectionString, _clusterId, StartBound);
        await using var b = await AdoNetSilo.StartAsync(pg.ConnectionString, _clusterId, StartBound);
        await Bounded.UntilAsync(async () => (await a.ActiveHostsAsync()).Count == 2 && (await b.ActiveHostsAsync()).Count == 2,
            Bound, "two active silos", async () => string.Join(", ", await MembershipRow.ReadAsync(pg.ConnectionString, _clusterId)));

        await using var client = await AdoNetClient.ConnectAsync(pg.ConnectionString, _clusterId, StartBound);

        using var cts = new CancellationTokenSource(Bound);
        var replies = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            client.Cluster.GetGrain<IAdoNetEchoGrain>($"g{i}").Echo("hello").WaitAsync(cts.Token)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"g{i}:hello"), replies);

        // Whichever silo hosts a grain, the other silo reaches it: the two know each other through the table.
        var hostedOn = await client.Cluster.GetGrain<IAdoNetEchoGrain>("g0").HostingSilo().WaitAsync(cts.Token);
        Assert.Contains(hostedOn, new[] { a.Address.ToParsableString(), b.Address.ToParsableString() });
        var fromA = await a.Grains.GetGrain<IAdoNetEchoGrain>("g0").HostingSilo().WaitAsync(cts.Token);
        var fromB = await b.Grains.GetGrain<IAdoNetEchoGrain>("g0").HostingSilo().WaitAsync(cts.Token);
        Assert.Equal(hostedOn, fromA);
        Assert.Equal(hostedOn, fromB);
    }

    [Fact]
    public async Task A_gracefully_stopped_silo_is_marked_dead_in_the_table()
    {
        await using var a = await AdoNetSilo.StartAsync(pg.ConnectionString, _clusterId, StartBound);
        await using var b = await AdoNetSilo.StartAsync(pg.ConnectionString, _clusterId, StartBound);
        await Bounded.UntilAsync(async () => (await a.ActiveHostsAsync()).Count == 2, Bound, "two active silos",
            async () => string.Join(", ", await MembershipRow.ReadAsync(pg.ConnectionString, _clusterId)));
        var stopped = b.Address;

        await b.StopAsync(Bound);

        await Bounded.UntilAsync(async () =>
            {
                var rows = await MembershipRow.ReadAsync(pg.ConnectionString, _clusterId);
                return rows.Single(r => r.Port == stopped.Endpoint.Port).Status == SiloStatus.Dead
                       && rows.Single(r => r.Port == a.SiloPort).Status == SiloStatus.Active;
            }, Bound, "the stopped silo Dead and the other still Active in the table",
            async () => string.Join(", ", await MembershipRow.ReadAsync(pg.ConnectionString, _clusterId)));
        await Bounded.UntilAsync(async () =>
            {
                var hosts = await a.ActiveHostsAsync();
                return hosts.Count == 1 && hosts.ContainsKey(a.Address);
            }, Bound, "the surviving silo sees only itself active",
            async () => string.Join(", ", (await a.ActiveHostsAsync()).Keys));
    }
}
