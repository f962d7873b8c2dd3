using Xunit.Abstractions;

namespace Heck.Tests.Replication;

[Trait("Category", "Slow")]
public sealed class GossipSimulationTests(ITestOutputHelper output)
{
    private GossipSimulation RunToQuiescence(SimulationOptions options)
    {
        var simulation = new GossipSimulation(options);
        var converged = simulation.Run();
        output.WriteLine($"{options}: converged={converged}: versions equal after {simulation.TicksToConverge}, states after {simulation.TicksToSettle} quiet ticks, " +
            $"{simulation.Sent} messages ({simulation.Dropped} dropped), ~{simulation.BytesSent / 1024} KiB");
        Assert.True(converged, $"replicas did not converge; replay with new SimulationOptions({options.Seed}, {options.Replicas}) — {options}");
        return simulation;
    }

    public static TheoryData<int, int, GossipMode> Runs()
    {
        var data = new TheoryData<int, int, GossipMode>();
        for (var seed = 1; seed <= 24; seed++)
            data.Add(seed, 3 + seed % 8, (GossipMode)(seed % 3));
        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Replicas_converge_after_quiescence_over_a_lossy_network(int seed, int replicas, GossipMode mode)
    {
        // Every other run, the crashed silo comes back as a new generation with an empty replica.
        var restart = seed % 2 == 0;
        var sim = RunToQuiescence(new SimulationOptions(seed, replicas) { Mode = mode, RestartAfterTicks = restart ? 60 : null });
        var live = sim.Replicas.Where(r => r.Alive).ToList();
        Assert.Equal(restart ? replicas : replicas - 1, live.Count);
        // Nothing left to exchange, and every live replica shows the same origins and health.
        foreach (var a in live)
            foreach (var b in live)
                Assert.True(a.State.DeltaSince(b.State.Version).IsEmpty, $"seed {seed}");
        foreach (var entry in live[0].State.Registry.Live)
            Assert.All(live, r => Assert.Equal(live[0].State.DerivedHealth(entry.Id), r.State.DerivedHealth(entry.Id)));
    }

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public void Replicas_converge_from_any_seed(int seed)
    {
        var options = new SimulationOptions(seed, 3 + Math.Abs(seed % 8))
        {
            Mode = (GossipMode)Math.Abs(seed % 3),
            Loss = Math.Abs(seed % 5) / 10.0,
            CrashAtTick = seed % 4 == 0 ? null : Math.Abs(seed % 280),
            RestartAfterTicks = seed % 3 == 0 ? 30 : null,
        };
        RunToQuiescence(options);
    }

    [Fact]
    public void Dead_slots_and_tombstones_are_pruned_and_memory_stays_bounded()
    {
        var sim = RunToQuiescence(new SimulationOptions(42, 5) { WriteTicks = 600 });
        sim.RunQuiet(500); // a few prune rounds, each replica on its own schedule
        Assert.True(sim.Converged());
        var dead = sim.Replicas.Single(r => !r.Alive).Id;
        var state = sim.Replicas.First(r => r.Alive).State;
        Assert.DoesNotContain(state.Health.Records, r => r.Slot == dead);
        Assert.DoesNotContain(state.Registry.Entries, e => e.IsTombstone);
        // At most one record per origin id and live slot.
        Assert.True(state.RecordCount <= 12 * 5, $"{state.RecordCount} records");
    }

    [Fact]
    public void A_run_replays_exactly_from_its_seed()
    {
        var options = new SimulationOptions(7, 6);
        var first = RunToQuiescence(options);
        var second = RunToQuiescence(options);
        Assert.Equal(first.Sent, second.Sent);
        Assert.Equal(first.TicksToSettle, second.TicksToSettle);
        Assert.Equal(first.Replicas.Select(r => r.State), second.Replicas.Select(r => r.State));
    }

    [Fact]
    public void Without_loss_or_crash_push_pull_converges_quickly()
    {
        var sim = RunToQuiescence(new SimulationOptions(3, 5) { Loss = 0, Duplication = 0, CrashAtTick = null });
        Assert.InRange(sim.TicksToConverge, 0, 100);
    }
}
