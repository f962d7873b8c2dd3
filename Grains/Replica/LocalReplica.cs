using System.Collections.Concurrent;
using Heck.Health;

namespace Heck.Grains.Replica;

/// <summary>
/// This silo's copy of the origin registry and health, the one every local read is served from
/// (no read ever calls an origin's owner). Origin grains on this silo write into it as they
/// change; keeping the copies of several silos in step is the replicator's job.
/// Thread-safe: grains of many activations write at once, HTTP requests read at once.
/// </summary>
public sealed class LocalReplica
{
    /// <summary>Transitions kept for watchers; a watcher that falls further behind skips ahead.</summary>
    public const int TransitionLogCapacity = 10_000;

    private readonly ConcurrentDictionary<string, OriginView> _origins = new(StringComparer.Ordinal);
    private readonly Lock _logLock = new();
    private readonly TransitionEvent?[] _log = new TransitionEvent?[TransitionLogCapacity];
    private long _lastSequence; // events are numbered from 1, so 0 means "before everything"

    public int Count => _origins.Count;

    public void Upsert(OriginView view) => _origins[view.Spec.Id] = view;

    /// <summary>Replaces the health of a known origin; ignored when the origin was removed meanwhile.</summary>
    public void UpdateHealth(string id, HealthView health)
    {
        while (_origins.TryGetValue(id, out var current))
        {
            if (_origins.TryUpdate(id, current with { Health = health }, current)) return;
        }
    }

    public bool Remove(string id) => _origins.TryRemove(id, out _);

    public OriginView? Get(string id) => _origins.TryGetValue(id, out var view) ? view : null;

    public IReadOnlyList<OriginView> List(HealthStatus? status)
    {
        var items = status is null
            ? _origins.Values.ToList()
            : _origins.Values.Where(v => v.Health.Status == status).ToList();
        items.Sort((a, b) => string.CompareOrdinal(a.Spec.Id, b.Spec.Id));
        return items;
    }

    public void RecordTransition(string originId, HealthTransition transition)
    {
        lock (_logLock)
        {
            var sequence = ++_lastSequence;
            _log[sequence % TransitionLogCapacity] = new TransitionEvent(sequence, originId, transition);
        }
    }

    /// <summary>
    /// Transitions numbered above <paramref name="after"/>, oldest first. A negative
    /// <paramref name="after"/> asks only for the current position (an empty page whose
    /// <see cref="TransitionPage.Next"/> is the newest number), so a new watcher sees what comes next.
    /// </summary>
    public TransitionPage TransitionsAfter(long after, int max)
    {
        lock (_logLock)
        {
            // A number beyond the newest comes from before a restart of this silo: start again from now.
            if (after < 0 || after > _lastSequence) return new TransitionPage(_lastSequence, []);
            if (after == _lastSequence) return new TransitionPage(after, []);
            var first = Math.Max(after + 1, _lastSequence - TransitionLogCapacity + 1);
            var last = Math.Min(_lastSequence, first + Math.Max(1, max) - 1);
            var events = new List<TransitionEvent>((int)(last - first + 1));
            for (var s = first; s <= last; s++) events.Add(_log[s % TransitionLogCapacity]!);
            return new TransitionPage(last, events);
        }
    }
}
