namespace Heck.Replication;

/// <summary>
/// Issues hybrid logical clock timestamps from an injected <see cref="TimeProvider"/>. Every
/// timestamp it returns is larger than every one it returned or observed before, even when
/// the wall clock steps back (the counter carries on from the last wall time instead).
/// Thread-safe: one clock is shared by everything that writes into a replica.
/// </summary>
public sealed class HlcClock(TimeProvider time, Hlc start = default)
{
    private readonly Lock _lock = new();
    private Hlc _last = start;

    /// <summary>The largest timestamp issued or observed so far.</summary>
    public Hlc Last
    {
        get { lock (_lock) return _last; }
    }

    /// <summary>A timestamp for a local event.</summary>
    public Hlc Now()
    {
        var wall = WallMs();
        lock (_lock)
        {
            _last = wall > _last.WallMs ? new Hlc(wall, 0) : Tick(_last.WallMs, _last.Counter);
            return _last;
        }
    }

    /// <summary>
    /// A timestamp for a local event that happens after <paramref name="remote"/> (a timestamp
    /// merged from another replica), so causal order survives clock skew between silos.
    /// </summary>
    public Hlc Observe(Hlc remote)
    {
        var wall = WallMs();
        lock (_lock)
        {
            var max = Math.Max(wall, Math.Max(_last.WallMs, remote.WallMs));
            if (max == wall && max > _last.WallMs && max > remote.WallMs) _last = new Hlc(max, 0);
            else
            {
                var counter = -1;
                if (max == _last.WallMs) counter = Math.Max(counter, _last.Counter);
                if (max == remote.WallMs) counter = Math.Max(counter, remote.Counter);
                _last = Tick(max, counter);
            }
            return _last;
        }
    }

    // The counter would only overflow after 2^31 events in one millisecond; borrow the next
    // millisecond rather than wrap, so order is never lost.
    private static Hlc Tick(long wallMs, int counter) =>
        counter == int.MaxValue ? new Hlc(wallMs + 1, 0) : new Hlc(wallMs, counter + 1);

    private long WallMs() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
