using System.Collections.Concurrent;
using Heck.Grains.Cluster;
using Heck.Health;
using Heck.Origins;
using Heck.Replication;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Heck.Grains.Replica;

/// <summary>
/// This silo's replica of the origin registry and health (a <see cref="ReplicaState"/> CRDT), the
/// one every local read is served from: no read ever calls an origin's owner. Origin grains on
/// this silo write into it; the replica service merges what other silos gossip. No write waits for
/// another silo. Registry changes are journalled before a local write returns, so an
/// acknowledged registration survives a crash of this silo.
/// </summary>
public sealed class LocalReplica
{
    /// <summary>Transitions kept for watchers; a watcher that falls further behind skips ahead.</summary>
    public const int TransitionLogCapacity = 10_000;

    private readonly RegistryJournal _journal;
    private readonly TimeProvider _time;
    private readonly ILogger<LocalReplica> _logger;
    private readonly Lock _writeLock = new();
    private readonly Lazy<ReplicaId> _self;
    private readonly Lazy<HlcClock> _clock;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _replicatedAt = new(StringComparer.Ordinal);
    private volatile ReplicaState _state = ReplicaState.Empty;
    private bool _loaded;

    private readonly Lock _logLock = new();
    private readonly TransitionEvent?[] _log = new TransitionEvent?[TransitionLogCapacity];
    private long _lastSequence; // events are numbered from 1, so 0 means "before everything"

    public LocalReplica(ILocalSiloDetails silo, RegistryJournal journal, TimeProvider time, ILogger<LocalReplica> logger)
    {
        _journal = journal;
        _time = time;
        _logger = logger;
        _self = new(() => IdOf(silo.SiloAddress));
        _clock = new(() => new HlcClock(time));
    }

    public static ReplicaId IdOf(SiloAddress silo) =>
        new(silo.Label(), silo.Generation);

    /// <summary>This replica's slot: the silo generation.</summary>
    public ReplicaId Self => _self.Value;

    /// <summary>The current state, an immutable snapshot.</summary>
    public ReplicaState State
    {
        get
        {
            EnsureLoaded();
            return _state;
        }
    }

    public VersionVector Version => State.Version;

    public int Count => State.Registry.Live.Count();

    /// <summary>Raised after a merge from another replica changed the registry (not for local writes).</summary>
    public event Action? RegistryChanged;

    /// <summary>Ids of every live origin.</summary>
    public IEnumerable<string> LiveIds => State.Registry.Live.Select(e => e.Id);

    public OriginSpec? Spec(string id) => State.Spec(id);

    // ---- local writes ---------------------------------------------------------------------

    /// <summary>Adds or edits a spec; returns whether it was unknown (or removed) before.</summary>
    public bool Upsert(OriginSpec spec)
    {
        lock (_writeLock)
        {
            var state = State;
            var created = state.Spec(spec.Id) is null;
            var (next, delta) = state.UpsertSpec(spec, Self, _clock.Value);
            Commit(next, delta, journal: true);
            return created;
        }
    }

    public bool Remove(string id)
    {
        lock (_writeLock)
        {
            var (next, delta) = State.RemoveSpec(id, Self, _clock.Value);
            if (delta.IsEmpty) return false;
            Commit(next, delta, journal: true);
            return true;
        }
    }

    /// <summary>Records this silo's observation of an origin (and the transition it caused).</summary>
    public void RecordHealth(string id, HealthView health, HealthTransition? transition)
    {
        lock (_writeLock)
        {
            var (next, delta) = State.RecordHealth(id, health, transition, Self, _clock.Value);
            if (delta.IsEmpty) return;
            Commit(next, delta, journal: false);
            if (transition is not null) Log(id, transition);
        }
    }

    // ---- replication ----------------------------------------------------------------------

    /// <summary>Exactly what a peer whose vector is <paramref name="peer"/> lacks.</summary>
    public Delta DeltaSince(VersionVector peer) => State.DeltaSince(peer);

    /// <summary>Merges a delta from another replica; journals the registry entries it changed.</summary>
    public void Apply(Delta delta)
    {
        if (delta.IsEmpty) return;
        lock (_writeLock)
        {
            var before = State;
            var next = before.Apply(delta);
            if (ReferenceEquals(next, before)) return;
            // The new owner's next write must happen-after everything merged here.
            foreach (var e in delta.Specs) _clock.Value.Observe(e.Hlc);
            foreach (var r in delta.Slots) _clock.Value.Observe(r.Hlc);

            var changed = delta.Specs.Select(e => e.Id).Distinct()
                .Select(id => next.Registry.Get(id)!)
                .Where(e => !ReferenceEquals(e, before.Registry.Get(e.Id)))
                .ToList();
            _journal.Save(changed);
            _state = next;
            if (changed.Count > 0) RegistryChanged?.Invoke();

            var now = _time.GetUtcNow();
            foreach (var e in changed) _replicatedAt[e.Id] = now;
            foreach (var record in delta.Slots)
            {
                if (before.Version.Contains(record.Dot)) continue;
                _replicatedAt[record.OriginId] = now;
                if (record.Transitions.IsDefault) continue;
                foreach (var t in record.Transitions)
                    if (!before.Version.Contains(t.Dot)) Log(record.OriginId, t.Transition);
            }
        }
    }

    /// <summary>Drops what no live replica needs any more (see <see cref="ReplicaState.Prune"/>).</summary>
    public void Prune(IReadOnlySet<ReplicaId> dead, VersionVector stableFrontier)
    {
        lock (_writeLock)
        {
            var next = State.Prune(dead, stableFrontier);
            if (!ReferenceEquals(next, _state)) _state = next;
        }
    }

    private void Commit(ReplicaState next, Delta delta, bool journal)
    {
        if (journal) _journal.Save(delta.Specs);
        _state = next;
        var now = _time.GetUtcNow();
        foreach (var e in delta.Specs) _replicatedAt[e.Id] = now;
        foreach (var r in delta.Slots) _replicatedAt[r.OriginId] = now;
    }

    private void EnsureLoaded()
    {
        if (_loaded) return;
        lock (_writeLock)
        {
            if (_loaded) return;
            var entries = _journal.Load();
            if (entries.Count > 0)
            {
                var context = entries.Aggregate(VersionVector.Empty, (v, e) => v.Add(e.Dot));
                _state = ReplicaState.Empty.Apply(new Delta([.. entries], [], context, VersionVector.Empty));
                foreach (var e in entries) _clock.Value.Observe(e.Hlc);
            }
            _loaded = true;
            _logger.LogInformation("Replica {Self} loaded {Count} registry entries from {Path}", Self, entries.Count, _journal.DatabasePath);
        }
    }

    /// <summary>Opens the journal now, so a bad storage path stops the silo at start.</summary>
    public void Load() => EnsureLoaded();

    // ---- reads ----------------------------------------------------------------------------

    public OriginView? Get(string id)
    {
        var state = State;
        return state.Registry.Get(id) is { Spec: { } spec } entry ? ViewOf(state, entry, spec) : null;
    }

    /// <summary>The latest verdict another owner left for an origin (see <see cref="ReplicaState.VerdictOfOtherOwners"/>).</summary>
    public HealthView? VerdictOfOtherOwners(string id) => State.VerdictOfOtherOwners(id, Self)?.Health;

    public IReadOnlyList<OriginView> List(HealthStatus? status)
    {
        var state = State;
        var items = new List<OriginView>();
        foreach (var entry in state.Registry.Live) // sorted by id
        {
            var view = ViewOf(state, entry, entry.Spec!);
            if (status is null || view.Health.Status == status) items.Add(view);
        }
        return items;
    }

    private OriginView ViewOf(ReplicaState state, RegistryEntry entry, OriginSpec spec)
    {
        var replicatedAt = _replicatedAt.TryGetValue(spec.Id, out var at) ? at : (DateTimeOffset?)null;
        if (state.DerivedHealth(spec.Id) is { } record)
            return new OriginView(spec, record.Health) { ObservedBy = record.Slot.ToString(), ObservedAt = record.Hlc.Wall, ReplicatedAt = replicatedAt };
        return new OriginView(spec, HealthView.Initial(entry.Hlc.Wall, owner: null)) { ReplicatedAt = replicatedAt };
    }

    // ---- the watchers' log ----------------------------------------------------------------

    private void Log(string originId, HealthTransition transition)
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
