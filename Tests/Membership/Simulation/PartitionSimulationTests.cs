using Heck.Membership.Swim;
using Xunit;
using Xunit.Abstractions;
using static Heck.Tests.Membership.Simulation.SimulationTests;

namespace Heck.Tests.Membership.Simulation;

/// <summary>
/// The death rule (independent suspicion) with the reach contest and the heal, under partitions, a flaky member and
/// crashes of half the cluster. Members declared dead rejoin as new generations, as the silo host does. Every
/// assertion message starts with the seed: replay a failure with <c>new Simulator(options, seed)</c>.
/// </summary>
[Trait("Category", "Slow")]
public class PartitionSimulationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HealBound = TimeSpan.FromSeconds(30);

    /// <summary>The profiles every scenario runs under.</summary>
    private static readonly SwimSettings[] Profiles = [new SwimSettings()];

    private static SimOptions Options(SwimSettings settings) => new()
    {
        Members = 5,
        Loss = 0.02,
        Settings = settings,
        RejoinAfter = TimeSpan.FromSeconds(1),
    };

    /// <summary>Every split of 5 members into two non-empty groups: member 0 in group 0, members 1..4 by the bits of 1..15.</summary>
    public static TheoryData<int> Splits()
    {
        var data = new TheoryData<int>();
        for (var mask = 1; mask < 16; mask++) data.Add(mask);
        return data;
    }

    private static int[] Groups(int mask) => [0, .. Enumerable.Range(1, 4).Select(i => (mask >> (i - 1)) & 1)];

    [Theory]
    [MemberData(nameof(Splits))]
    public void Under_every_split_of_five_the_larger_side_keeps_itself_and_one_cluster_forms_within_30s_of_the_heal(int mask)
    {
        var groups = Groups(mask);
        var larger = groups.Count(g => g == 0) > 2 ? 0 : 1;
        foreach (var settings in Profiles)
        {
            var options = Options(settings);
            var hold = DetectionBound(settings, 5) + TimeSpan.FromSeconds(5);
            var heals = new List<double>();
            for (var seed = 1; seed <= 4; seed++)
            {
                var sim = Start(options, 31_000 + mask * 100 + seed + (settings == HeckDefaults ? 50 : 0));
                var big = sim.Nodes.Where(n => groups[n.Slot] == larger).ToList();
                var small = sim.Nodes.Where(n => groups[n.Slot] != larger).ToList();
                sim.Partition(groups);
                sim.Run(sim.Now + hold, () => small.All(m => sim.AllSee(o => big.Contains(o), m.Id, MemberStatus.Dead)));
                // Each side evicts the other (no majority needed)...
                Assert.True(small.All(m => sim.AllSee(o => big.Contains(o), m.Id, MemberStatus.Dead)), $"seed {sim.Seed} split {string.Concat(groups)}: the larger side kept a cut-off member\n{sim.Describe()}");
                var healAt = sim.Now;
                sim.Partition(null);
                sim.Run(healAt + HealBound, sim.OneCluster);
                Assert.True(sim.OneCluster(), $"seed {sim.Seed} split {string.Concat(groups)}: not one cluster {HealBound.TotalSeconds} s after the heal\n{sim.Describe()}");
                heals.Add((sim.Now - healAt).TotalSeconds);
                // ...but the larger side never loses a member, in its own view or by accepting its death.
                var evicted = sim.DeathsOf(big).Where(d => big.Contains(d.Observer)).ToList();
                Assert.True(evicted.Count == 0, $"seed {sim.Seed} split {string.Concat(groups)}: the larger side evicted its own {evicted.FirstOrDefault()}\n{sim.Describe()}");
                Assert.True(big.All(n => n.Running), $"seed {sim.Seed} split {string.Concat(groups)}: a member of the larger side accepted its death\n{sim.Describe()}");
                Assert.Equal(0, sim.VersionDrops);
            }
            heals.Sort();
            output.WriteLine($"split {string.Concat(groups)}, {(settings == HeckDefaults ? "silo defaults" : "library defaults")}: one cluster after the heal in {string.Join(", ", heals.Select(h => $"{h:F1}"))} s");
        }
    }

    [Fact]
    public void A_flaky_member_never_gets_a_healthy_one_evicted_and_one_cluster_forms_after_it_recovers()
    {
        foreach (var settings in Profiles)
        {
            var options = Options(settings) with { Loss = 0.01 };
            for (var seed = 1; seed <= 20; seed++)
            {
                var sim = Start(options, 41_000 + seed + (settings == HeckDefaults ? 50 : 0));
                var flaky = seed % 5;
                var healthy = sim.Nodes.Where(n => n.Slot != flaky).ToList();
                sim.SlotLoss[flaky] = 0.5;
                sim.Run(sim.Now + TimeSpan.FromSeconds(90));
                sim.SlotLoss.Clear();
                var endAt = sim.Now;
                sim.Run(endAt + HealBound, sim.OneCluster);
                var evicted = sim.DeathsOf(healthy).Where(d => healthy.Contains(d.Observer)).ToList();
                Assert.True(evicted.Count == 0, $"seed {sim.Seed} flaky {flaky}: a healthy member was evicted: {evicted.FirstOrDefault()}\n{sim.Describe()}");
                Assert.True(healthy.All(n => n.Running), $"seed {sim.Seed} flaky {flaky}: a healthy member accepted its death\n{sim.Describe()}");
                Assert.True(sim.OneCluster(), $"seed {sim.Seed} flaky {flaky}: not one cluster {HealBound.TotalSeconds} s after the loss ended\n{sim.Describe()}");
            }
        }
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(2, 1)]
    [InlineData(5, 4)]
    public void Survivors_of_a_crash_of_half_or_more_evict_the_crashed_within_the_detection_bound(int n, int crashed)
    {
        foreach (var settings in Profiles)
        {
            var options = new SimOptions { Members = n, Loss = 0.02, Settings = settings };
            // A lone survivor gets no nacks from its helpers (they are the crashed), so Lifeguard stretches its probe
            // period toward AwarenessMaxMultiplier: allow that stretch for every member it has to probe.
            var bound = DetectionBound(settings, n) + (crashed == n - 1 ? settings.ProbeInterval * settings.AwarenessMaxMultiplier * crashed : TimeSpan.Zero);
            var times = new List<double>();
            for (var seed = 1; seed <= 20; seed++)
            {
                var sim = Start(options, 51_000 + n * 100 + seed + (settings == HeckDefaults ? 50 : 0));
                var victims = sim.Nodes.Skip(seed % (n - crashed + 1)).Take(crashed).ToList();
                foreach (var v in victims) sim.Crash(v);
                var at = sim.Now;
                sim.Run(at + bound, () => victims.All(v => sim.AllSee(_ => true, v.Id, MemberStatus.Dead)));
                Assert.True(victims.All(v => sim.AllSee(_ => true, v.Id, MemberStatus.Dead)), $"seed {sim.Seed}: {crashed} of {n} crashed, not all evicted within {bound}\n{sim.Describe()}");
                Assert.True(sim.Live.All(x => x.Swim.View.Live.Count() == n - crashed), $"seed {sim.Seed}: a survivor was evicted\n{sim.Describe()}");
                times.Add((sim.Now - at).TotalSeconds);
            }
            times.Sort();
            output.WriteLine($"{crashed} of {n} crashed: all evicted by every survivor after median {times[times.Count / 2]:F1} s, max {times[^1]:F1} s (bound {bound.TotalSeconds:F1} s)");
        }
    }
}
