namespace Heck.Silo.Cluster;

/// <summary>
/// How long a silo waits before starting its next generation. The first rejoin after a generation that ran for a
/// while starts at once: the point is to be back quickly. Each further rejoin after a generation that was declared
/// dead (or failed to start) within <see cref="StableAfter"/> waits twice as long as the one before, from
/// <see cref="First"/> up to <see cref="Max"/>, so a silo the cluster keeps rejecting keeps trying without flooding it.
/// </summary>
public sealed class RejoinBackoff
{
    public static TimeSpan First { get; } = TimeSpan.FromSeconds(1);
    public static TimeSpan Max { get; } = TimeSpan.FromSeconds(10);
    public static TimeSpan StableAfter { get; } = TimeSpan.FromSeconds(60);

    private int _quickFailures;

    /// <summary>The wait before the next generation, given how long the one that just ended ran (null: it never started).</summary>
    public TimeSpan Next(TimeSpan? lifetime)
    {
        if (lifetime is { } ran && ran >= StableAfter) _quickFailures = 0;
        var wait = _quickFailures == 0
            ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(Max.Ticks, First.Ticks << Math.Min(_quickFailures - 1, 20)));
        _quickFailures++;
        return wait;
    }
}
