using System.Security.Cryptography;
using Heck.Health;
using Heck.Replication;

namespace Heck.Grains.Replica;

/// <summary>
/// The transitions this silo showed its watchers, in the order its <see cref="TransitionFeed"/>
/// released them, numbered 1, 2, 3, … and kept in a ring of <see cref="Capacity"/>. Watchers page
/// through it by number and wait on it for the next one. <see cref="Generation"/> names this run of
/// the log, so a number from another run (a restarted silo, another silo) is recognised as such.
/// Thread-safe.
/// </summary>
public sealed class TransitionLog
{
    private readonly Lock _lock = new();
    private readonly TransitionEvent?[] _ring;
    private long _last; // 0: nothing yet, so "after 0" is "from the start"
    private TaskCompletionSource _appended = NewSignal();

    public TransitionLog(int capacity, string? generation = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new TransitionEvent?[capacity];
        Generation = generation ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    }

    /// <summary>Identifies this log: no two runs share one.</summary>
    public string Generation { get; }

    public int Capacity => _ring.Length;

    /// <summary>The newest number; 0 while empty.</summary>
    public long Last
    {
        get
        {
            lock (_lock) return _last;
        }
    }

    /// <summary>Numbers and keeps <paramref name="transitions"/>, then wakes the waiters.</summary>
    public void Append(IReadOnlyList<StampedTransition> transitions)
    {
        if (transitions.Count == 0) return;
        TaskCompletionSource woken;
        lock (_lock)
        {
            foreach (var t in transitions)
            {
                var sequence = ++_last;
                _ring[sequence % _ring.Length] = new TransitionEvent(sequence, t.OriginId, t.Transition) { Stamp = t.Stamp };
            }
            woken = _appended;
            _appended = NewSignal();
        }
        woken.TrySetResult();
    }

    /// <summary>
    /// At most <paramref name="max"/> events numbered above <paramref name="after"/>, oldest first.
    /// <see cref="TransitionRead.Gap"/> says some were lost to the reader: those after it that the ring
    /// no longer keeps (the read then starts at the oldest kept), or all of them when
    /// <paramref name="after"/> is beyond the newest (a number of another run: the read starts at the oldest kept).
    /// </summary>
    public TransitionRead Read(long after, int max)
    {
        lock (_lock)
        {
            var oldest = Math.Max(1, _last - _ring.Length + 1);
            var gap = after > _last || after + 1 < oldest;
            var first = gap ? oldest : after + 1;
            var last = Math.Min(_last, first + Math.Max(1, max) - 1);
            if (last < first) return new TransitionRead(_last, [], gap);
            var events = new List<TransitionEvent>((int)(last - first + 1));
            for (var s = first; s <= last; s++) events.Add(_ring[s % _ring.Length]!);
            return new TransitionRead(last, events, gap);
        }
    }

    /// <summary>
    /// The paging the Orleans watch uses: a negative <paramref name="after"/> (or one beyond the newest,
    /// from before a restart) asks only for the current position, so a new watcher sees what comes
    /// next; one that fell behind the ring skips ahead to the oldest kept.
    /// </summary>
    public TransitionPage After(long after, int max)
    {
        lock (_lock)
        {
            if (after < 0 || after > _last) return new TransitionPage(_last, []);
        }
        var read = Read(after, max);
        return new TransitionPage(read.Next, read.Events);
    }

    /// <summary>Completes once an event numbered above <paramref name="after"/> is kept (at once if one is).</summary>
    public Task WaitAsync(long after, CancellationToken ct)
    {
        Task appended;
        lock (_lock)
        {
            if (_last > after) return Task.CompletedTask;
            appended = _appended.Task;
        }
        return appended.WaitAsync(ct);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A page of <see cref="TransitionLog"/>: the events, the number to read after next, and whether some were lost.</summary>
public sealed record TransitionRead(long Next, IReadOnlyList<TransitionEvent> Events, bool Gap);
