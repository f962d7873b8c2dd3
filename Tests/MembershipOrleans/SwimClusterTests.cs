using Heck.Membership.Orleans;
using Heck.Membership.Swim;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Heck.Tests.MembershipOrleans;

/// <summary>Real Orleans silos in this process, clustered by SWIM only (no table, no TestingHost).</summary>
[Trait("Category", "Cluster")]
public sealed class SwimClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly string clusterId = "swim-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<SwimTestSilo> silos = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var silo in Enumerable.Reverse(silos)) await silo.DisposeAsync();
    }

    private async Task<SwimTestSilo[]> StartThreeAsync(Action<SwimClusteringOptions>? tweak = null)
    {
        var seed = await SwimTestSilo.StartAsync(clusterId, [], tweak);
        silos.Add(seed);
        var others = await Task.WhenAll(SwimTestSilo.StartAsync(clusterId, [seed.Seed], tweak), SwimTestSilo.StartAsync(clusterId, [seed.Seed], tweak));
        silos.AddRange(others);
        var all = silos.ToArray();
        foreach (var silo in all)
        {
            await Eventually.True(
                () => all.All(s => silo.Statuses().GetValueOrDefault(s.Address) == SiloStatus.Active),
                Bound, $"{silo.Address} sees all three silos Active");
        }
        return all;
    }

    [Fact]
    public async Task Three_silos_join_through_one_seed_and_see_each_other_active()
    {
        var all = await StartThreeAsync();

        foreach (var silo in all)
        {
            var hosts = await Eventually.Until(
                () => silo.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true),
                h => h.Count == 3, Bound, $"management grain on {silo.Address} lists three active hosts");
            Assert.All(all, s => Assert.Equal(SiloStatus.Active, hosts[s.Address]));

            // The SWIM view behind it: three alive members, each carrying its Orleans silo address.
            var view = silo.Swim.View!;
            Assert.Equal(3, view.Live.Count());
            Assert.All(view.Members, m => Assert.Equal(MemberStatus.Alive, m.Status));
        }

        // Grains run across the cluster.
        var placed = new HashSet<string>();
        for (var i = 0; i < 30; i++) placed.Add(await all[i % 3].Grains.GetGrain<ISwimPingGrain>($"g{i}").Where());
        Assert.NotEmpty(placed);
    }

    [Fact]
    public async Task A_gracefully_stopped_silo_is_dead_to_orleans_and_left_in_swim_and_the_cluster_keeps_working()
    {
        var all = await StartThreeAsync();
        var leaving = all[2];
        var leavingNode = leaving.Swim.Self!.Value;

        await leaving.StopAsync();

        foreach (var survivor in all[..2])
        {
            await Eventually.True(() => survivor.Statuses().GetValueOrDefault(leaving.Address) == SiloStatus.Dead,
                Bound, $"{survivor.Address} sees {leaving.Address} Dead");
            await Eventually.True(() => survivor.Swim.View!.StatusOf(leavingNode) == MemberStatus.Left,
                Bound, $"{survivor.Address}'s SWIM view shows {leavingNode} Left");
            Assert.Equal(SiloStatus.Active, survivor.Statuses()[all[0].Address]);
            Assert.Equal(SiloStatus.Active, survivor.Statuses()[all[1].Address]);
            var hosts = await Eventually.Until(
                () => survivor.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true),
                h => h.Count == 2, Bound, "two active hosts remain");
            Assert.False(hosts.ContainsKey(leaving.Address));
        }

        for (var i = 0; i < 10; i++)
        {
            var where = await all[i % 2].Grains.GetGrain<ISwimPingGrain>($"after-{i}").Where();
            Assert.DoesNotContain(leaving.Address.ToString(), where);
        }
    }

    /// <summary>
    /// A silo that left expires from the SWIM view after the retention. Orleans must accept the view without it: the
    /// table version may not fall (Orleans ignores a table older than one it has seen, so the row would stay), and a
    /// new silo must still join and be seen Active by everyone.
    /// </summary>
    [Fact]
    public async Task A_silo_that_expired_from_the_view_leaves_orleans_membership_and_a_new_silo_still_joins()
    {
        var retention = TimeSpan.FromSeconds(2);
        void Short(SwimClusteringOptions o) => o.Settings = SwimTestSilo.Fast with { DeadRetention = retention };
        var all = await StartThreeAsync(Short);
        var leaving = all[2];
        var leavingNode = leaving.Swim.Self!.Value;
        var tables = all[..2].Select(s => (SwimMembershipTable)s.Host.Services.GetRequiredService<IMembershipTable>()).ToArray();
        var versions = new int[2];
        async Task<bool> VersionsRise()
        {
            for (var i = 0; i < tables.Length; i++)
            {
                var v = (await tables[i].ReadAll()).Version.Version;
                Assert.True(v >= versions[i], $"the table version of {all[i].Address} fell from {versions[i]} to {v}");
                versions[i] = v;
            }
            return true;
        }
        await VersionsRise();

        await leaving.StopAsync();
        foreach (var survivor in all[..2])
        {
            await Eventually.Until(async () => await VersionsRise() && survivor.Swim.View!.Find(leavingNode) is null, ok => ok,
                Bound, $"{survivor.Address}'s SWIM view forgets {leavingNode}");
            await Eventually.Until(async () => await VersionsRise() && !survivor.Statuses().ContainsKey(leaving.Address), ok => ok,
                Bound, $"{survivor.Address}'s Orleans membership no longer lists {leaving.Address}");
        }

        var joiner = await SwimTestSilo.StartAsync(clusterId, [all[0].Seed], Short);
        silos.Add(joiner);
        var now = new[] { all[0], all[1], joiner };
        foreach (var silo in now)
        {
            await Eventually.Until(
                async () => await VersionsRise() && now.All(s => silo.Statuses().GetValueOrDefault(s.Address) == SiloStatus.Active), ok => ok,
                Bound, $"{silo.Address} sees the two survivors and the new silo Active");
        }
        var joinerTable = (SwimMembershipTable)joiner.Host.Services.GetRequiredService<IMembershipTable>();
        await Eventually.Until(async () =>
            {
                var a = (await tables[0].ReadAll()).Version;
                var b = (await tables[1].ReadAll()).Version;
                var c = (await joinerTable.ReadAll()).Version;
                return a == b && b == c;
            }, ok => ok, Bound, "the three tables report one version");
        for (var i = 0; i < 6; i++) Assert.NotEmpty(await now[i % 3].Grains.GetGrain<ISwimPingGrain>($"expired-{i}").Where());
    }

    [Fact]
    public async Task A_client_finds_gateways_through_a_seed_and_calls_a_grain()
    {
        var all = await StartThreeAsync();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        SwimTestSilo.ConfigureLogging(builder.Logging);
        builder.UseOrleansClient(client =>
        {
            client.UseSwimGateways([all[0].Seed]);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
        });
        using var host = builder.Build();
        using (var cts = new CancellationTokenSource(Bound)) await host.StartAsync(cts.Token);
        try
        {
            var client = host.Services.GetRequiredService<IClusterClient>();
            var where = await client.GetGrain<ISwimPingGrain>("from-client").Where().WaitAsync(Bound);
            Assert.Contains(all, s => where.Contains(s.Address.ToString(), StringComparison.Ordinal));
        }
        finally
        {
            using var cts = new CancellationTokenSource(Bound);
            await host.StopAsync(cts.Token);
        }
    }

    [Fact]
    public async Task A_silo_whose_seeds_do_not_answer_fails_to_start_naming_them()
    {
        var nobody = $"127.0.0.1:{FreePort.Next()}";
        var host = SwimTestSilo.Build(clusterId, [nobody], o => o.JoinTimeout = TimeSpan.FromSeconds(1));
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(cts.Token));
            var all = string.Join(" | ", Flatten(error).Select(e => e.Message));
            Assert.Contains(nobody, all);
            Assert.Contains("SwimClusteringOptions.Seeds", all);
        }
        finally
        {
            if (host is IAsyncDisposable d) await d.DisposeAsync();
        }
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        yield return e;
        if (e is AggregateException a)
            foreach (var inner in a.InnerExceptions.SelectMany(Flatten)) yield return inner;
        else if (e.InnerException is { } i)
            foreach (var inner in Flatten(i)) yield return inner;
    }
}
