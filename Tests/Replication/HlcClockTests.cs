namespace Heck.Tests.Replication;

public sealed class HlcClockTests
{
    private const long Start = 1_700_000_000_000;

    [Fact]
    public void Follows_the_wall_clock_when_it_moves_forward()
    {
        var time = new ManualTime(Start);
        var clock = new HlcClock(time);
        Assert.Equal(new Hlc(Start, 0), clock.Now());
        time.Advance(5);
        Assert.Equal(new Hlc(Start + 5, 0), clock.Now());
    }

    [Fact]
    public void Counts_within_one_millisecond()
    {
        var clock = new HlcClock(new ManualTime(Start));
        Assert.Equal(new Hlc(Start, 0), clock.Now());
        Assert.Equal(new Hlc(Start, 1), clock.Now());
        Assert.Equal(new Hlc(Start, 2), clock.Now());
    }

    [Fact]
    public void Stays_monotone_when_the_wall_clock_steps_back()
    {
        var time = new ManualTime(Start);
        var clock = new HlcClock(time);
        var before = clock.Now();
        time.Advance(-60_000);
        var after = clock.Now();
        Assert.True(after > before);
        Assert.Equal(new Hlc(Start, 1), after);
        time.Advance(60_001);
        Assert.Equal(new Hlc(Start + 1, 0), clock.Now());
    }

    [Fact]
    public void Observing_a_remote_timestamp_ahead_moves_past_it()
    {
        var clock = new HlcClock(new ManualTime(Start));
        var remote = new Hlc(Start + 10_000, 7);
        var observed = clock.Observe(remote);
        Assert.Equal(new Hlc(Start + 10_000, 8), observed);
        Assert.True(clock.Now() > observed);
    }

    [Fact]
    public void Observing_a_remote_timestamp_behind_keeps_local_time()
    {
        var time = new ManualTime(Start);
        var clock = new HlcClock(time);
        clock.Now();
        time.Advance(3);
        Assert.Equal(new Hlc(Start + 3, 0), clock.Observe(new Hlc(Start - 500, 42)));
    }

    [Fact]
    public void Observing_the_same_millisecond_takes_the_larger_counter()
    {
        var clock = new HlcClock(new ManualTime(Start));
        clock.Now(); // (Start, 0)
        Assert.Equal(new Hlc(Start, 10), clock.Observe(new Hlc(Start, 9)));
        Assert.Equal(new Hlc(Start, 11), clock.Observe(new Hlc(Start, 3)));
    }

    [Fact]
    public void Counter_overflow_borrows_the_next_millisecond()
    {
        var clock = new HlcClock(new ManualTime(Start), new Hlc(Start, int.MaxValue));
        Assert.Equal(new Hlc(Start + 1, 0), clock.Now());
    }

    [Fact]
    public void Starts_after_a_given_timestamp()
    {
        var clock = new HlcClock(new ManualTime(Start - 1000), new Hlc(Start, 4));
        Assert.Equal(new Hlc(Start, 5), clock.Now());
    }

    [Fact]
    public void Orders_by_wall_time_then_counter()
    {
        Assert.True(new Hlc(1, 5) < new Hlc(2, 0));
        Assert.True(new Hlc(2, 0) < new Hlc(2, 1));
        Assert.Equal(new Hlc(2, 1), Hlc.Max(new Hlc(2, 1), new Hlc(1, 9)));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Every_timestamp_exceeds_all_earlier_ones_and_observed_ones(int[] steps)
    {
        var time = new ManualTime(Start);
        var clock = new HlcClock(time);
        var last = Hlc.Zero;
        foreach (var step in steps ?? [])
        {
            Hlc next;
            switch (Math.Abs(step % 3))
            {
                case 0:
                    time.Advance(step % 1000); // forward or back
                    next = clock.Now();
                    break;
                case 1:
                    next = clock.Now();
                    break;
                default:
                    var remote = new Hlc(Start + step % 5000, Math.Abs(step % 4));
                    next = clock.Observe(remote);
                    Assert.True(next > remote, $"{next} after {remote}");
                    break;
            }
            Assert.True(next > last, $"{next} after {last}");
            Assert.True(next.WallMs >= time.NowMs, "never behind the wall clock");
            last = next;
        }
    }
}
