namespace Heck.Grains.Origins;

/// <summary>
/// When an origin's next probe is due. Pure: the first probe falls at a random phase of the
/// interval so that origins registered together do not probe together; later probes keep the
/// cadence (no drift from probe duration) with a small jitter, and a late tick never makes
/// probes pile up: it skips to the next slot.
/// </summary>
public sealed class ProbeSchedule
{
    private readonly TimeSpan _interval;
    private readonly Random _random;
    private DateTimeOffset _next;

    public ProbeSchedule(TimeSpan interval, DateTimeOffset now, Random random, TimeSpan? firstWithin = null)
    {
        _interval = interval;
        _random = random;
        // A taken-over origin has gone unprobed since its old owner died: probe it soon, still spread.
        var window = firstWithin is { } w && w < interval ? w : interval;
        _next = now + window * random.NextDouble();
    }

    public DateTimeOffset Next => _next;

    /// <summary>Delay from <paramref name="now"/> until the first probe.</summary>
    public TimeSpan DueIn(DateTimeOffset now) => Max(TimeSpan.Zero, _next - now);

    /// <summary>Advances past a probe that started at <paramref name="now"/>; returns the delay to the next.</summary>
    public TimeSpan Advance(DateTimeOffset now)
    {
        // Jitter of up to ±2 % (at most 250 ms) keeps origins from locking into step over time.
        var jitterMs = Math.Min(_interval.TotalMilliseconds * 0.02, 250) * (_random.NextDouble() * 2 - 1);
        _next += _interval + TimeSpan.FromMilliseconds(jitterMs);
        if (_next <= now) // we fell behind (paused process, slow probe): resume from now
            _next = now + _interval;
        return Max(TimeSpan.Zero, _next - now);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
