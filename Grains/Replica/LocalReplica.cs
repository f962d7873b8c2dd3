using System.Collections.Concurrent;
using System.Collections.Immutable;
using Heck.Grains.Cluster;
using Heck.Grains.Health;
using Heck.Health;
using Heck.Origins;
using Heck.Replication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
    private readonly TimeSpan _retention;
    private readonly TimeSpan _stampInterval;
    private volatile ReplicaState _state = ReplicaState.Empty;
    // Completed and replaced whenever the state changes, so a causal read sleeps until then, not in a poll.
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ImmutableHashSet<ReplicaId> _departed = [];
    private bool _loaded;
    // A journal too old to trust, held back until peers have answered (see JournalRecovery).
    private IReadOnlyList<RegistryEntry>? _heldBack;
    private long _heldBackStampMs;
    private IReadOnlyList<ReplicaId> _formerPeers = [];
    private HashSet<ReplicaId>? _storedPeers; // what the journal holds, so unchanged sets are not rewritten
    // The last shown health of each origin that the previous run (or generation) of this silo journalled: shown,
    // with its age, until a record of the origin's current generation arrives; a new owner resumes from it.
    private IReadOnlyDictionary<string, SlotRecord> _remembered = new Dictionary<string, SlotRecord>();
    private readonly Dictionary<string, SlotRecord> _savedHealth = new(StringComparer.Ordinal); // what the journal holds

    private readonly TransitionFeed _feed = new(); // under _writeLock

    public LocalReplica(ILocalSiloDetails silo, RegistryJournal journal, TimeProvider time, ILogger<LocalReplica> logger,
        IOptions<GossipOptions>? options = null)
    {
        var gossip = options?.Value ?? new GossipOptions();
        _retention = TimeSpan.FromMilliseconds(gossip.ReplicaRetentionMs);
        _stampInterval = TimeSpan.FromMilliseconds(gossip.AntiEntropyIntervalMs);
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

    /// <summary>The transitions shown to watchers, in feed order (see <see cref="TransitionFeed"/>).</summary>
    public TransitionLog Transitions { get; } = new(TransitionLogCapacity);

    /// <summary>Transitions not shown because a newer one of their origin had been (see <see cref="TransitionFeed.Late"/>).</summary>
    public long LateTransitions
    {
        get
        {
            lock (_writeLock) return _feed.Late;
        }
    }

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

    /// <summary>Completes at the next change of <see cref="State"/> (a local write, a merge, a prune). Take it before reading the state.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>
    /// Silo generations this replica knows to be gone (dead in membership, or pruned and forgotten): a causal
    /// token's dot of theirs that never arrived will not arrive by waiting (see <see cref="CausalToken.CoveredBy"/>).
    /// </summary>
    public IReadOnlySet<ReplicaId> Departed => _departed;

    /// <summary>Adds generations to <see cref="Departed"/>; a causal read waiting on their dots is woken.</summary>
    public void NoteDeparted(IEnumerable<ReplicaId> replicas)
    {
        var before = _departed;
        var after = before.Union(replicas);
        if (after.Count == before.Count) return;
        _departed = after;
        Signal();
    }

    /// <summary>The token of an origin's current registry entry here: what a reader must have to see this write (or a later one).</summary>
    public CausalToken TokenOf(string id) =>
        State.Registry.Get(id) is { } entry ? CausalToken.Of(entry.Dot) : CausalToken.Empty;

    /// <summary>The token of several origins' current entries (a list read), bounded like every token.</summary>
    public CausalToken TokenOfAll(IEnumerable<string> ids)
    {
        var registry = State.Registry;
        var vector = VersionVector.Empty;
        foreach (var id in ids)
            if (registry.Get(id) is { } entry) vector = vector.Add(entry.Dot);
        return CausalToken.Of(vector);
    }

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
            Publish(next);
            Show(before, next, delta);
            if (changed.Count > 0) RegistryChanged?.Invoke();

            var now = _time.GetUtcNow();
            foreach (var e in changed) _replicatedAt[e.Id] = now;
            foreach (var record in delta.Slots)
            {
                if (before.Version.Contains(record.Dot)) continue;
                _replicatedAt[record.OriginId] = now;
            }
        }
    }

    /// <summary>
    /// Drops what no live replica needs any more (see <see cref="ReplicaState.Prune"/>), the journal
    /// rows of the tombstones it drops, and the vector entries of <paramref name="forget"/>
    /// (see <see cref="ReplicaState.Forget"/>).
    /// </summary>
    public void Prune(IReadOnlySet<ReplicaId> dead, VersionVector stableFrontier, IReadOnlySet<ReplicaId>? forget = null,
        VersionVector? tombstoneFrontier = null, long tombstonesWrittenBeforeMs = long.MaxValue)
    {
        lock (_writeLock)
        {
            var before = State;
            var next = before.Prune(dead, stableFrontier, tombstoneFrontier ?? stableFrontier, tombstonesWrittenBeforeMs);
            if (forget is not null) next = next.Forget(forget);
            NoteDeparted(forget is null ? dead : dead.Concat(forget));
            if (ReferenceEquals(next, before)) return;
            if (!ReferenceEquals(next.Registry, before.Registry))
            {
                List<string> gone = [.. before.Registry.Entries.Where(e => next.Registry.Get(e.Id) is null).Select(e => e.Id)];
                _journal.Delete(gone);
                foreach (var id in gone) _replicatedAt.TryRemove(id, out _);
            }
            Publish(next);
        }
    }

    /// <summary>Drops what <paramref name="plan"/> says may go.</summary>
    public void Prune(PrunePlan plan) => Prune(plan.Dead, plan.Frontier, plan.Forget, plan.Tombstones, plan.TombstonesWrittenBeforeMs);

    /// <summary>
    /// Stamps the journal: this silo was active now (see <see cref="JournalRecovery.IsStale"/>).
    /// Not while a held-back journal waits: a crash then must find it as old as it was.
    /// </summary>
    public void StampActive(IReadOnlyCollection<ReplicaId>? peers = null)
    {
        if (IsHoldingBackJournal) return;
        var changed = peers is not null && (_storedPeers is null || !_storedPeers.SetEquals(peers));
        _journal.StampActive(_time.GetUtcNow(), changed ? peers : null);
        if (changed) _storedPeers = [.. peers!];
        SaveShownHealth();
    }

    /// <summary>Journals each origin's shown health record where it changed since the last save.</summary>
    private void SaveShownHealth()
    {
        var state = State;
        var now = _time.GetUtcNow();
        var changed = new List<SlotRecord>();
        lock (_savedHealth)
        {
            foreach (var entry in state.Registry.Live)
            {
                if (ShownHealth.Choose(ShownHealth.Current(state, entry.Id), entry.Spec!.IntervalMs, now) is not { } record) continue;
                if (_savedHealth.TryGetValue(entry.Id, out var saved) && saved.Equals(record)) continue;
                _savedHealth[entry.Id] = record;
                changed.Add(record);
            }
        }
        _journal.SaveHealth(changed);
    }

    /// <summary>
    /// The verdict the previous run of this silo last showed for the origin, when it is of the origin's current
    /// generation, not unknown and not stale at <paramref name="now"/>: a silo restarted (or rejoined) within the
    /// staleness bound resumes from it instead of from unknown.
    /// </summary>
    public HealthView? RememberedVerdict(string id, int intervalMs, DateTimeOffset now) =>
        _remembered.TryGetValue(id, out var r) && State.Registry.Get(id) is { IsTombstone: false } entry && r.Generation == entry.Generation &&
        r.Health.Status != HealthStatus.Unknown && !Staleness.IsStale(now - r.Hlc.Wall, intervalMs)
            ? r.Health
            : null;

    /// <summary>
    /// The peers the previous run of this silo gossiped with or waited for, from the journal (none
    /// when the journal was too old to trust): they may restart on their journals too.
    /// </summary>
    public IReadOnlyList<ReplicaId> FormerPeers
    {
        get
        {
            EnsureLoaded();
            return _formerPeers;
        }
    }

    /// <summary>Whether the journal was too old to trust and is held back until peers have answered.</summary>
    public bool IsHoldingBackJournal
    {
        get
        {
            EnsureLoaded();
            return Volatile.Read(ref _heldBack) is not null;
        }
    }

    /// <summary>When the held-back journal was last stamped active (Unix ms); null when none is held back.</summary>
    public long? HeldBackStampMs => IsHoldingBackJournal ? _heldBackStampMs : null;

    /// <summary>Merges the held-back journal after all (no peer had any state).</summary>
    public void AdoptJournal()
    {
        IReadOnlyList<RegistryEntry>? entries;
        lock (_writeLock)
        {
            entries = _heldBack;
            _heldBack = null;
        }
        if (entries is null) return;
        _logger.LogWarning("Replica {Self} adopts the {Count} registry entries of its old journal: no peer has any state", Self, entries.Count);
        Apply(JournalDelta(entries));
    }

    /// <summary>Drops the held-back journal: peers' registry replaces it.</summary>
    public void DiscardJournal()
    {
        lock (_writeLock)
        {
            if (_heldBack is not { } entries) return;
            _heldBack = null;
            var state = State;
            _journal.Delete([.. entries.Select(e => e.Id).Where(id => state.Registry.Get(id) is null)]);
            _logger.LogWarning("Replica {Self} discarded the {Count} registry entries of a journal older than the retention; peers' registry replaces it",
                Self, entries.Count);
        }
    }

    private static Delta JournalDelta(IReadOnlyList<RegistryEntry> entries) =>
        new([.. entries], [], entries.Aggregate(VersionVector.Empty, (v, e) => v.Add(e.Dot)), VersionVector.Empty);

    private void Commit(ReplicaState next, Delta delta, bool journal)
    {
        if (journal) _journal.Save(delta.Specs);
        var before = _state;
        Publish(next);
        Show(before, next, delta);
        var now = _time.GetUtcNow();
        foreach (var e in delta.Specs) _replicatedAt[e.Id] = now;
        foreach (var r in delta.Slots) _replicatedAt[r.OriginId] = now;
    }

    private void Publish(ReplicaState next)
    {
        _state = next;
        Signal();
    }

    private void Signal() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void EnsureLoaded()
    {
        if (_loaded) return;
        lock (_writeLock)
        {
            if (_loaded) return;
            var entries = _journal.Load();
            foreach (var e in entries) _clock.Value.Observe(e.Hlc);
            var lastActive = _journal.LastActive();
            if (entries.Count > 0 && JournalRecovery.IsStale(lastActive, _time.GetUtcNow(), _retention, _stampInterval))
            {
                _heldBack = entries;
                _heldBackStampMs = lastActive!.Value.ToUnixTimeMilliseconds();
                _logger.LogWarning("Replica {Self}: the journal at {Path} is older than the retention ({Retention}); its {Count} entries wait for peers' answers",
                    Self, _journal.DatabasePath, _retention, entries.Count);
            }
            else
            {
                if (entries.Count > 0) Publish(ReplicaState.Empty.Apply(JournalDelta(entries)));
                _formerPeers = _journal.Peers();
                _remembered = _journal.LoadHealth().ToDictionary(r => r.OriginId, StringComparer.Ordinal);
                _journal.StampActive(_time.GetUtcNow());
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
        // Nothing of the current run yet: the last verdict this silo showed before it restarted, with its age.
        if (_remembered.TryGetValue(spec.Id, out var remembered) && remembered.Generation == entry.Generation)
            return new OriginView(spec, remembered.Health) { ObservedBy = remembered.Slot.ToString(), ObservedAt = remembered.Hlc.Wall, ReplicatedAt = replicatedAt };
        return new OriginView(spec, HealthView.Initial(entry.Hlc.Wall, owner: null)) { ReplicatedAt = replicatedAt };
    }

    // ---- the watchers' log ----------------------------------------------------------------

    // Under _writeLock, so the feed sees the states in the order they were made.
    private void Show(ReplicaState before, ReplicaState after, Delta delta) =>
        Transitions.Append(_feed.Advance(before, after, delta.Specs.Select(e => e.Id).Concat(delta.Slots.Select(r => r.OriginId))));

    /// <summary>See <see cref="TransitionLog.After"/>.</summary>
    public TransitionPage TransitionsAfter(long after, int max) => Transitions.After(after, max);

    /// <summary>An origin's kept transitions in causal order; null when it is not live here.</summary>
    public IReadOnlyList<StampedTransition>? TransitionsOf(string id)
    {
        var state = State;
        return state.Spec(id) is null ? null : TransitionFeed.Current(state, id);
    }
}
