using System.Collections.Concurrent;
using System.Diagnostics;

namespace Heck.Harness;

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
