using System.Diagnostics;
using Heck.Membership.Orleans;

namespace Heck.Tests.Processes;

/// <summary>
/// A silo restarts while its seeds are unreachable (cut off by packet filtering) and a client polls it for gateways
/// (the SDK's <see cref="SwimGatewayListProvider"/>, which sends a state-less view request). It must not take that
/// request for a join and form a one-silo cluster owning every origin; once the seeds are reachable it joins them.
/// Needs root and nft (<c>.ci/nftables.sh</c>); fails, naming it, without them.
/// </summary>
[Trait("Category", "Process")]
[Trait("Category", "Slow")]
[Collection(ClusterCollection.Name)]
public sealed class SeedlessRestartProcessTests
{
    [Fact]
    public async Task A_silo_restarting_without_reachable_seeds_and_polled_by_a_client_joins_the_others_once_they_are_reachable()
    {
        await using var target = await TargetServer.StartAsync();
        using var network = LoopbackNetwork.Create(3);
        await using var cluster = await SiloCluster.StartAsync(3, network);
        await cluster.WaitConvergedAsync(TimeSpan.FromSeconds(60));
        var ids = await ClusterOrigins.RegisterAsync(cluster.Nodes[0].Process, target, "seedless", 6);
        await Eventually.Until(() => ClusterOrigins.AllObservedAfterAsync(cluster.Nodes[2].Process, ids, DateTimeOffset.MinValue), ok => ok,
            TimeSpan.FromSeconds(30), "every origin known to the silo that restarts");

        var restarting = cluster.Nodes[2];
        var seeds = cluster.Nodes.Take(2).ToList();
        restarting.Process.Terminate();
        await restarting.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        var alone = new List<string>();
        using (var partition = cluster.Cut([restarting], seeds))
        {
            var process = cluster.Launch(restarting, seeds);
            using var client = new SwimGatewayListProvider(
                new SwimGatewayOptions { Seeds = [restarting.SwimEndpoint], RequestTimeout = TimeSpan.FromSeconds(1) }, "heck");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                Assert.False(process.HasExited, $"the restarting silo exited ({process.ExitCode}):\n{process.Output}");
                await client.GetGateways();
                if (await SiloCluster.ViewAsync(process) is { } view)
                {
                    var alive = view.Members.Where(m => m.Status == "alive").Select(m => m.Address).ToList();
                    if (alive.All(a => a == restarting.SiloAddress))
                        alone.Add($"{clock.Elapsed.TotalSeconds:0.0} s: it serves a cluster of itself ({string.Join(", ", view.Members.Select(m => $"{m.Address}@{m.Generation} {m.Status}"))})");
                }
                await Task.Delay(300);
            }
        }
        Assert.True(alone.Count == 0, "the silo formed a one-silo cluster while its seeds were cut off:\n" + string.Join("\n", alone.Take(10))
            + "\n" + restarting.Process.Output);

        // Seeds reachable again: it joins them.
        await restarting.Process.WaitServingAsync(TimeSpan.FromSeconds(60));
        await cluster.WaitConvergedAsync(TimeSpan.FromSeconds(30), what: "the restarted silo joined the other two");
        var joined = DateTimeOffset.UtcNow;
        await Eventually.Until(() => ClusterOrigins.AllObservedAfterAsync(restarting.Process, ids, joined), ok => ok,
            TimeSpan.FromSeconds(30), "every origin observed again, read on the restarted silo");
    }
}
