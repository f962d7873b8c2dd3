using Heck.Grains.Origins;

namespace Heck.Tests.Origins;

public sealed class ProbeScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void First_probe_falls_within_one_interval()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var schedule = new ProbeSchedule(TimeSpan.FromSeconds(10), T0, new Random(seed));
            Assert.InRange(schedule.DueIn(T0), TimeSpan.Zero, TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void Cadence_holds_without_drift_from_probe_duration()
    {
        var schedule = new ProbeSchedule(TimeSpan.FromSeconds(1), T0, new Random(1));
        var first = schedule.Next;
        var now = first;
        for (var i = 1; i <= 1000; i++)
        {
            var delay = schedule.Advance(now + TimeSpan.FromMilliseconds(5)); // tick fired a little late
            now = now + TimeSpan.FromMilliseconds(5) + delay;
        }
        // Jitter is at most ±20 ms per step and averages out: 1000 steps stay near 1000 s.
        Assert.InRange((now - first).TotalSeconds, 999.0, 1001.0);
    }

    [Fact]
    public void A_late_tick_skips_ahead_instead_of_bursting()
    {
        var schedule = new ProbeSchedule(TimeSpan.FromSeconds(1), T0, new Random(2));
        var late = schedule.Next + TimeSpan.FromSeconds(30); // the process was paused
        var delay = schedule.Advance(late);
        Assert.InRange(delay, TimeSpan.FromMilliseconds(900), TimeSpan.FromMilliseconds(1100));
    }

    [Fact]
    public void A_takeover_probes_within_its_short_window()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var schedule = new ProbeSchedule(TimeSpan.FromSeconds(10), T0, new Random(seed), firstWithin: TimeSpan.FromMilliseconds(250));
            Assert.InRange(schedule.DueIn(T0), TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
        }
    }
}
