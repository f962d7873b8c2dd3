using Xunit.Abstractions;

namespace Heck.Tests.Processes;

/// <summary>
/// A silo the cluster declared dead rejoins by itself, inside the same process (no supervisor), as a new generation
/// with its data: a real silo is paused (SIGSTOP) until the others declare it dead, then resumed.
/// </summary>
[Trait("Category", "Process")]
[Trait("Category", "Slow")]
[Collection(ClusterCollection.Name)]
public sealed class RejoinProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TargetServer _target = null!;
    private SiloCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _target = await TargetServer.StartAsync();
        _cluster = await SiloCluster.StartAsync(3, network: null);
        await _cluster.WaitConvergedAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _target.DisposeAsync();
    }

    [Fact]
    public async Task A_silo_declared_dead_rejoins_in_the_same_process_as_a_new_generation_with_its_origins()
    {
        var victim = _cluster.Nodes[2];
        var others = _cluster.Nodes.Take(2).ToList();
        var process = victim.Process;
        var pid = process.Id;
        // Registered on the victim itself: its journal holds it, and it must still be listed and probed afterwards.
        var ids = await ClusterOrigins.RegisterAsync(process, _target, "rejoin", 4);
        await Eventually.Until(() => ClusterOrigins.AllObservedAfterAsync(others[0].Process, ids, DateTimeOffset.MinValue), ok => ok,
            TimeSpan.FromSeconds(30), "every origin observed and gossiped before the pause");
        var before = (await SiloCluster.ViewAsync(process))!.Value.Self;

        await PauseUntilDeclaredDeadAsync(victim, others, before);
        var resumed = DateTimeOffset.UtcNow;

        try
        {
            // Back in every view as a new generation of the same address, served by the same process.
            await _cluster.WaitConvergedAsync(TimeSpan.FromSeconds(30), what: "the resumed silo rejoined: one cluster of all three");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{_cluster.Logs()}", e);
        }
        Assert.False(process.HasExited, $"the silo's process exited ({process.ExitCode}):\n{process.Output}");
        Assert.Equal(pid, process.Id);
        var after = (await SiloCluster.ViewAsync(process))!.Value.Self;
        Assert.Equal(before.Address, after.Address);
        Assert.NotEqual(before.Generation, after.Generation);
        output.WriteLine($"{before.Address}: generation {before.Generation} -> {after.Generation}, back {DateTimeOffset.UtcNow - resumed:g} after SIGCONT");

        // Its origins are still listed on it and probed again (by whoever owns them now).
        await Eventually.Until(() => ClusterOrigins.AllObservedAfterAsync(process, ids, resumed), ok => ok,
            TimeSpan.FromSeconds(30), "every origin listed and observed again on the rejoined silo");
        // The new generation loaded them from the journal the old one released.
        Assert.Contains($"loaded {ids.Count} registry entries", process.Output.Split("Rejoining:").Last());

        // A stop signal still stops the process (the rejoin loop does not swallow it).
        process.Terminate();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task A_silo_declared_dead_again_and_again_keeps_rejoining_and_never_exits_on_its_own()
    {
        var victim = _cluster.Nodes[1];
        var others = new[] { _cluster.Nodes[0], _cluster.Nodes[2] };
        var pid = victim.Process.Id;
        var generations = new List<int>();
        for (var round = 0; round < 3; round++)
        {
            var self = (await SiloCluster.ViewAsync(victim.Process))!.Value.Self;
            generations.Add(self.Generation);
            await PauseUntilDeclaredDeadAsync(victim, others, self);
            try
            {
                await _cluster.WaitConvergedAsync(TimeSpan.FromSeconds(45), what: $"rejoined after death {round + 1}");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\n{_cluster.Logs()}", e);
            }
        }
        generations.Add((await SiloCluster.ViewAsync(victim.Process))!.Value.Self.Generation);
        output.WriteLine($"generations: {string.Join(" -> ", generations)}");
        Assert.Equal(generations.Count, generations.Distinct().Count());
        Assert.False(victim.Process.HasExited);
        Assert.Equal(pid, victim.Process.Id);
    }

    /// <summary>SIGSTOPs <paramref name="victim"/> until both <paramref name="others"/> list <paramref name="self"/> dead, then SIGCONTs it.</summary>
    private static async Task PauseUntilDeclaredDeadAsync(ClusterNode victim, IEnumerable<ClusterNode> others, SiloCluster.Member self)
    {
        victim.Process.Pause();
        try
        {
            await Eventually.Until(async () => await Task.WhenAll(others.Select(o => SiloCluster.ViewAsync(o.Process))),
                views => views.All(v => v is { } view && view.Members.Any(m => m == self with { Status = "dead" })),
                TimeSpan.FromSeconds(30), $"the others see {self.Address}@{self.Generation} dead");
        }
        finally
        {
            victim.Process.Resume();
        }
    }
}
