namespace Heck.Tests.Health;

public sealed class StalenessTests
{
    private static readonly DateTimeOffset ObservedAt = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static OriginView Healthy(int intervalMs, DateTimeOffset? observedAt) =>
        new(new OriginSpec { Id = "web", Url = "http://origin.test/", IntervalMs = intervalMs },
            new HealthView { Status = HealthStatus.Healthy, Since = ObservedAt.AddMinutes(-5), LastProbeAt = observedAt })
        {
            ObservedAt = observedAt,
            ObservedBy = observedAt is null ? null : "127.0.0.1:11111@1",
        };

    [Theory]
    [InlineData(100, 5100)]      // short intervals: one interval plus 5 s of slack
    [InlineData(2500, 7500)]     // where the two meet
    [InlineData(10_000, 30_000)] // long intervals: three missed probes
    public void The_bound_is_the_larger_of_three_intervals_and_one_interval_plus_five_seconds(int intervalMs, int boundMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(boundMs), Staleness.Bound(intervalMs));

    [Fact]
    public void An_observation_exactly_at_the_bound_is_fresh_and_one_millisecond_later_stale()
    {
        var view = Healthy(10_000, ObservedAt);

        var atBound = Staleness.Judge(view, ObservedAt.AddMilliseconds(30_000));
        Assert.Equal(HealthStatus.Healthy, atBound.Health.Status);
        Assert.False(atBound.Health.Stale);
        Assert.Equal(30_000, atBound.Health.AgeMs);

        var past = Staleness.Judge(view, ObservedAt.AddMilliseconds(30_001));
        Assert.Equal(HealthStatus.Unknown, past.Health.Status);
        Assert.True(past.Health.Stale);
        Assert.Equal(30_001, past.Health.AgeMs);
        // What was last seen stays readable.
        Assert.Equal(ObservedAt, past.ObservedAt);
        Assert.Equal(ObservedAt, past.Health.LastProbeAt);
        Assert.Equal(view.Health.Since, past.Health.Since);
    }

    [Fact]
    public void An_origin_never_observed_stays_unknown_and_is_not_stale()
    {
        var never = new OriginView(new OriginSpec { Id = "new", Url = "http://origin.test/" }, HealthView.Initial(ObservedAt, null));
        var read = Staleness.Judge(never, ObservedAt.AddDays(1));
        Assert.Equal(HealthStatus.Unknown, read.Health.Status);
        Assert.False(read.Health.Stale);
        Assert.Null(read.Health.AgeMs);
    }

    [Fact]
    public void A_writer_whose_clock_is_ahead_makes_a_fresh_read_of_age_zero()
    {
        var read = Staleness.Judge(Healthy(1000, ObservedAt), ObservedAt.AddSeconds(-3));
        Assert.Equal(HealthStatus.Healthy, read.Health.Status);
        Assert.Equal(0, read.Health.AgeMs);
    }

    [Fact]
    public void Without_a_record_time_the_last_probe_time_counts()
    {
        var view = Healthy(1000, ObservedAt) with { ObservedAt = null };
        Assert.True(Staleness.Judge(view, ObservedAt.AddSeconds(7)).Health.Stale);
        Assert.False(Staleness.Judge(view, ObservedAt.AddSeconds(5)).Health.Stale);
    }
}
