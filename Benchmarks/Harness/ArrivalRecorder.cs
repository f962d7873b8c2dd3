using System.Collections.Concurrent;
using System.Diagnostics;

namespace Heck.Benchmarks.Harness;

/// <summary>
/// Per-path arrival times at a <see cref="TargetServer"/>, for the throughput scenarios: off unless
/// a scenario sets <see cref="TargetServer.Arrivals"/>, so other scenarios pay nothing. Always
/// remembers each path's latest arrival; inside a window (<see cref="BeginWindow"/> …
/// <see cref="EndWindow"/>) it also counts arrivals and keeps each arrival's gap since the same
/// path's previous one (the previous arrival may lie before the window).
/// </summary>
public sealed class ArrivalRecorder
{
    /// <summary>Gaps kept per window at most (bounds memory; about 8 bytes each).</summary>
    public const int MaxGaps = 20_000_000;

    private sealed class Last
    {
        public long Timestamp;
    }

    private readonly ConcurrentDictionary<string, Last> _last = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private List<float> _gapsMs = [];
    private long _hits;
    private long _started;
    private volatile bool _open;

    /// <summary>Paths that have been hit at least once since the recorder was created.</summary>
    public int DistinctPaths => _last.Count;

    public bool HasArrived(string path) => _last.ContainsKey(path);

    /// <summary>Called by the target for every request, with the request's path.</summary>
    public void Record(string path)
    {
        var now = Stopwatch.GetTimestamp();
        var last = _last.GetOrAdd(path, static _ => new Last());
        var previous = Interlocked.Exchange(ref last.Timestamp, now);
        if (!_open) return;
        Interlocked.Increment(ref _hits);
        if (previous == 0) return;
        var gap = (float)Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds;
        lock (_lock)
            if (_gapsMs.Count < MaxGaps) _gapsMs.Add(gap);
    }

    public void BeginWindow()
    {
        lock (_lock)
        {
            _gapsMs = [];
            Interlocked.Exchange(ref _hits, 0);
            _started = Stopwatch.GetTimestamp();
            _open = true;
        }
    }

    /// <summary>Closes the window: its arrivals, length and inter-arrival gaps.</summary>
    public ArrivalWindow EndWindow()
    {
        lock (_lock)
        {
            _open = false;
            var window = new ArrivalWindow(Interlocked.Read(ref _hits), Stopwatch.GetElapsedTime(_started).TotalSeconds, _gapsMs.ToArray());
            _gapsMs = [];
            return window;
        }
    }
}

/// <summary>One recording window: arrivals, its length, and each arrival's gap since its path's previous one.</summary>
public sealed record ArrivalWindow(long Hits, double Seconds, float[] GapsMs)
{
    public double PerSecond => Seconds > 0 ? Hits / Seconds : 0;
}

/// <summary>
/// Scheduling lag as the target sees it. The owner schedules probe k of an origin at
/// start + k·interval + (jitter so far), where each step adds a jitter of up to ±2 % of the
/// interval (at most 250 ms), so a probe fired on time arrives interval ± jitter after the previous
/// one. Lateness here is the excess of a gap over interval + that jitter bound, clamped at 0: a
/// probe that fires L ms after its slot shows up as about L ms of lateness (its successor, if on
/// time, as an early gap, which is clamped away). It is a lower bound when a whole run of probes
/// is late by the same amount. Also given: |gap − interval|, which includes the jitter itself.
/// </summary>
public sealed record Lateness(int Gaps, double LatenessP50Ms, double LatenessP99Ms, double LatenessMaxMs, double AbsDeviationP99Ms, double JitterBoundMs)
{
    public static double JitterBound(int intervalMs) => Math.Min(intervalMs * 0.02, 250);

    public static Lateness Of(float[] gapsMs, int intervalMs)
    {
        var bound = JitterBound(intervalMs);
        if (gapsMs.Length == 0) return new Lateness(0, 0, 0, 0, 0, bound);
        var late = new double[gapsMs.Length];
        var deviation = new double[gapsMs.Length];
        for (var i = 0; i < gapsMs.Length; i++)
        {
            late[i] = Math.Max(0, gapsMs[i] - intervalMs - bound);
            deviation[i] = Math.Abs(gapsMs[i] - intervalMs);
        }
        Array.Sort(late);
        Array.Sort(deviation);
        return new Lateness(gapsMs.Length, Rank(late, 0.50), Rank(late, 0.99), late[^1], Rank(deviation, 0.99), bound);
    }

    // Nearest rank, as in Stats.
    private static double Rank(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
