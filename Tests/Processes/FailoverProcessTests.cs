namespace Heck.Tests.Processes;

/// <summary>
/// Monitoring never stops while one silo lives: when silos crash (SIGKILL), the survivors evict them and probe every
/// origin again, whatever share of the cluster is gone (half of four; one of two).
/// </summary>
[Trait("Category", "Process")]
[Trait("Category", "Slow")]
[Collection(ClusterCollection.Name)]
public sealed class FailoverProcessTests : IAsyncLifetime
{
    private TargetServer _target = null!;

    public async Task InitializeAsync() => _target = await TargetServer.StartAsync();

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Fact]
    public async Task Two_of_four_silos_killed_at_once_are_evicted_and_every_origin_is_probed_again() =>
        await KillAndExpectTakeoverAsync(silos: 4, killed: 2);

    [Fact]
    public async Task A_two_silo_cluster_losing_one_fails_over_every_origin_to_the_survivor() =>
        await KillAndExpectTakeoverAsync(silos: 2, killed: 1);

    private async Task KillAndExpectTakeoverAsync(int silos, int killed)
    {
        await using var cluster = await SiloCluster.StartAsync(silos, network: null);
        await cluster.WaitConvergedAsync(TimeSpan.FromSeconds(60));
        var ids = await ClusterOrigins.RegisterAsync(cluster.Nodes[0].Process, _target, "failover", 12);
        var survivors = cluster.Nodes.Take(silos - killed).ToList();
        var victims = cluster.Nodes.Skip(silos - killed).ToList();
        await Eventually.Until(() => ClusterOrigins.AllObservedAfterAsync(survivors[0].Process, ids, DateTimeOffset.MinValue), ok => ok,
            TimeSpan.FromSeconds(30), "every origin observed before the crash");
        var victimSelves = new List<SiloCluster.Member>();
        foreach (var v in victims) victimSelves.Add((await SiloCluster.ViewAsync(v.Process))!.Value.Self);
        var owners = (await ClusterOrigins.ListAsync(survivors[0].Process))!.Values.Select(s => s.Owner).ToHashSet();
        Assert.True(victims.Any(v => owners.Contains(v.SiloAddress)), $"no victim owns an origin (owners: {string.Join(", ", owners)})");

        foreach (var v in victims) v.Process.Kill();
        var crashed = DateTimeOffset.UtcNow;
        try
        {
            // Every survivor evicts every victim...
            await Eventually.Until(async () => await Task.WhenAll(survivors.Select(s => SiloCluster.ViewAsync(s.Process))),
                views => views.All(view => view is { } x && victimSelves.All(d => x.Members.Contains(d with { Status = "dead" }))),
                TimeSpan.FromSeconds(30), "every survivor sees every killed silo dead");
            // ...and every origin is observed again after the crash, read on each survivor.
            foreach (var s in survivors)
                await Eventually.Until(() => ClusterOrigins.AllObservedAfterAsync(s.Process, ids, crashed), ok => ok,
                    TimeSpan.FromSeconds(30), $"every origin observed again after the crash, read on {s}");
            var after = (await ClusterOrigins.ListAsync(survivors[0].Process))!;
            Assert.All(after.Values, o => Assert.Contains(o.Owner, survivors.Select(s => s.SiloAddress)));
        }
        catch (TimeoutException e)
        {
            var stale = new List<string>();
            foreach (var s in survivors) stale.Add($"not observed since the crash on {s}: {await ClusterOrigins.StaleAsync(s.Process, ids, crashed)}");
            throw new TimeoutException($"{e.Message}\n{string.Join("\n", stale)}\n{await cluster.DescribeAsync()}\n{cluster.Logs()}", e);
        }
    }
}
