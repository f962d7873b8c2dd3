using Xunit.Abstractions;

namespace Heck.Tests.Processes;

/// <summary>
/// Six silos started at once through one seed (as <c>docker compose up</c> does): one silo first, then five more
/// together, all seeded with the first one's SWIM port. All six stay up and see one six-member cluster.
/// </summary>
[Trait("Category", "Process")]
[Trait("Category", "Slow")]
[Collection(ClusterCollection.Name)]
public sealed class ConcurrentJoinProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Six_silos_started_at_once_through_one_seed_all_stay_up_in_one_cluster()
    {
        await using var cluster = await SiloCluster.StartAsync(6, network: null, together: true);
        var pids = cluster.Nodes.Select(n => n.Process.Id).ToList();
        try
        {
            await cluster.WaitConvergedAsync(TimeSpan.FromSeconds(90), what: "all six see one six-member cluster");
            // And it stays so for a while: a joiner declared dead would drop out (and, rejoining, come back as a new generation).
            var calm = System.Diagnostics.Stopwatch.StartNew();
            while (calm.Elapsed < TimeSpan.FromSeconds(10))
            {
                Assert.True(await cluster.ConvergedAsync(), "the six-member cluster fell apart:\n" + await cluster.DescribeAsync());
                await Task.Delay(500);
            }
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new Exception($"{e.Message}\n{cluster.Logs()}", e);
        }
        foreach (var node in cluster.Nodes) Assert.False(node.Process.HasExited, $"{node} exited ({node.Process.ExitCode})");
        Assert.Equal(pids, cluster.Nodes.Select(n => n.Process.Id).ToList());
        // Which silos were declared dead while the cluster formed and came back (a rejoin keeps the process; this
        // test only reports it, with the reason each gave).
        foreach (var node in cluster.Nodes)
            foreach (var line in node.Process.Output.Split('\n').Where(l => l.Contains("Rejoining:", StringComparison.Ordinal)))
                output.WriteLine($"{node}: {line.Trim()}");
    }
}
