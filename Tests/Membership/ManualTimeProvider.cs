namespace Heck.Tests.Membership;

/// <summary>Time that moves only when told (no timers: the SWIM core polls the clock on ticks).</summary>
public sealed class ManualTimeProvider(DateTimeOffset? start = null) : TimeProvider
{
    private DateTimeOffset now = start ?? new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long ticks;

    public override DateTimeOffset GetUtcNow() => now;
    public override long GetTimestamp() => ticks;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public TimeSpan Elapsed => TimeSpan.FromTicks(ticks);

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        now += by;
        ticks += by.Ticks;
    }

    /// <summary>Moves to <paramref name="elapsed"/> since the start (never backwards).</summary>
    public void AdvanceTo(TimeSpan elapsed)
    {
        if (elapsed.Ticks > ticks) Advance(TimeSpan.FromTicks(elapsed.Ticks - ticks));
    }
}
