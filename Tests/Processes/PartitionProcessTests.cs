using System.Diagnostics;
using Xunit.Abstractions;

namespace Heck.Tests.Processes;

/// <summary>
/// Five silos, each on its own loopback address, partitioned by packet filtering (<see cref="LoopbackPartition"/>:
/// SWIM and Orleans traffic between the sides dropped; the HTTP API on 127.0.0.1 still reads every side). During the
/// partition each side keeps every origin monitored and the majority never evicts itself; after the heal one cluster
/// forms again by itself, and every origin is still listed on every silo, none lost and none resurrected.
/// Needs root and nft (<c>.ci/nftables.sh</c>); fails, naming it, without them.
/// </summary>
[Trait("Category", "Process")]
[Trait("Category", "Slow")]
[Collection(ClusterCollection.Name)]
public sealed class PartitionProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan PartitionFor = TimeSpan.FromSeconds(20);
    private TargetServer _target = null!;
    private LoopbackNetwork _network = null!;
    private SiloCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _target = await TargetServer.StartAsync();
        _network = LoopbackNetwork.Create(5);
        _cluster = await SiloCluster.StartAsync(5, _network);
        await _cluster.WaitConvergedAsync(TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _network.Dispose();
        await _target.DisposeAsync();
    }

    [Fact]
    public Task A_3_2_partition_keeps_both_sides_monitoring_and_heals_into_one_cluster() => PartitionAndHealAsync([0, 1, 2], [3, 4]);

    [Fact]
    public Task A_1_4_partition_of_the_seed_keeps_both_sides_monitoring_and_heals_into_one_cluster() => PartitionAndHealAsync([0], [1, 2, 3, 4]);

    private async Task PartitionAndHealAsync(int[] sideIndexes, int[] otherIndexes)
    {
        var nodes = _cluster.Nodes;
        var side = sideIndexes.Select(i => nodes[i]).ToList();
        var other = otherIndexes.Select(i => nodes[i]).ToList();
        var majority = side.Count > other.Count ? side : other;

        var ids = await ClusterOrigins.RegisterAsync(nodes[1].Process, _target, "partition", 10);
        var gone = (await ClusterOrigins.RegisterAsync(nodes[1].Process, _target, "deleted", 1))[0];
        foreach (var n in nodes)
            await Eventually.Until(() => ClusterOrigins.AllObservedAfterAsync(n.Process, ids.Append(gone), DateTimeOffset.MinValue), ok => ok,
                TimeSpan.FromSeconds(30), $"every origin observed, read on {n}");
        using (var delete = await nodes[1].Process.Http.DeleteAsync($"/api/origins/{gone}")) delete.EnsureSuccessStatusCode();
        foreach (var n in nodes)
            await Eventually.Until(async () => await ClusterOrigins.ListAsync(n.Process), seen => seen is not null && !seen.ContainsKey(gone),
                TimeSpan.FromSeconds(30), $"the deleted origin gone from {n}");
        var selves = new Dictionary<ClusterNode, SiloCluster.Member>();
        foreach (var n in nodes) selves[n] = (await SiloCluster.ViewAsync(n.Process))!.Value.Self;

        var partition = _cluster.Cut(side, other);
        var clock = Stopwatch.StartNew();
        var evictions = new List<string>();
        try
        {
            // The majority never evicts one of its own, however the minority sees things.
            var mark = DateTimeOffset.MaxValue;
            while (clock.Elapsed < PartitionFor)
            {
                foreach (var observer in majority)
                {
                    var view = await SiloCluster.ViewAsync(observer.Process);
                    if (view is null) continue;
                    foreach (var member in majority)
                    {
                        var seen = view.Value.Members.FirstOrDefault(m => m.Address == selves[member].Address && m.Generation == selves[member].Generation);
                        if (seen is null || seen.Status is not ("alive" or "suspect"))
                            evictions.Add($"{clock.Elapsed.TotalSeconds:0.0} s: {observer} sees {member} {seen?.Status ?? "absent"}");
                    }
                }
                if (mark == DateTimeOffset.MaxValue && clock.Elapsed > PartitionFor / 2) mark = DateTimeOffset.UtcNow;
                await Task.Delay(300);
            }
            Assert.True(evictions.Count == 0, "the majority evicted its own members:\n" + string.Join("\n", evictions.Take(20)));

            // Each side keeps every origin monitored: read on a silo of each side, every origin was observed again in
            // the second half of the partition (by whichever silo of that side owns it there).
            foreach (var n in new[] { side[0], other[0] })
                await Eventually.Until(() => ClusterOrigins.AllObservedAfterAsync(n.Process, ids, mark), ok => ok,
                    TimeSpan.FromSeconds(15), $"every origin observed during the partition, read on {n}");
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new Exception($"during the partition {partition}: {e.Message}\n{await _cluster.DescribeAsync()}\n{_cluster.Logs()}", e);
        }
        finally
        {
            partition.Heal();
        }

        var healed = Stopwatch.StartNew();
        try
        {
            await _cluster.WaitConvergedAsync(TimeSpan.FromSeconds(30), what: "one cluster of all five, 30 s after the heal");
            output.WriteLine($"one cluster {healed.Elapsed.TotalSeconds:0.0} s after the heal");
            foreach (var n in nodes)
                await Eventually.Until(async () => await ClusterOrigins.ListAsync(n.Process),
                    seen => seen is not null && seen.Keys.ToHashSet().SetEquals(ids),
                    TimeSpan.FromSeconds(30), $"every origin listed on {n}, none lost or resurrected");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"after healing {partition}: {e.Message}\n{await _cluster.DescribeAsync()}\n{_cluster.Logs()}", e);
        }
        foreach (var n in nodes) Assert.False(n.Process.HasExited, $"{n} exited ({n.Process.ExitCode})");
    }
}
