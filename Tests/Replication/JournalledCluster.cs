namespace Heck.Tests.Replication;

/// <summary>
/// Silos whose replicas keep their registry in a journal (as <c>LocalReplica</c> does) and that
/// crash and restart on it as a new generation at the same address, possibly after the retention.
/// Gossip, pruning and journal recovery run the production cores (<see cref="GossipPlanner"/>,
/// <see cref="ReplicaState"/>, <see cref="JournalRecovery"/>); only the network and the SQLite file
/// are replaced, by direct calls and a dictionary. A reference replica merges every write made, with
/// no pruning: the registry that a replica that saw every operation holds.
/// </summary>
internal sealed class JournalledCluster
{
    public const long RetentionMs = 20_000;
    public const long StampIntervalMs = 100; // every step stamps the journals of the silos that are up

    public sealed class Silo(int index)
    {
        public string Address { get; } = $"10.0.2.{index + 1}:11111";
        public int Generation { get; set; } = 1;
        public ReplicaId Id => new(Address, Generation);
        public bool Up { get; set; } = true;
        public ReplicaState State { get; set; } = ReplicaState.Empty;
        public GossipPlanner Planner { get; set; } = null!;
        public HlcClock Clock { get; set; } = null!;
        public Dictionary<string, RegistryEntry> Journal { get; } = new(StringComparer.Ordinal);
        public long? LastActiveMs { get; set; }
        public List<ReplicaId> JournalPeers { get; set; } = [];
        public List<RegistryEntry>? HeldBack { get; set; }
        public long HeldBackStampMs { get; set; }
        /// <summary>Dots this generation merged (wrote, received, loaded or adopted), even once pruned from its vector.</summary>
        public HashSet<Dot> Seen { get; set; } = [];
    }

    private readonly ManualTime _time = new(History.Epoch);
    private readonly Random _random;

    public JournalledCluster(int silos, int seed)
    {
        _random = new Random(seed);
        Silos = [.. Enumerable.Range(0, silos).Select(i => new Silo(i))];
        foreach (var s in Silos) Boot(s);
    }

    public Silo[] Silos { get; }
    public ReplicaState Reference { get; private set; } = ReplicaState.Empty;
    /// <summary>Dots of writes that only journals held back past the retention had, and that were discarded with them.</summary>
    public HashSet<Dot> Lost { get; } = [];
    /// <summary>Reference replica without the lost writes.</summary>
    public ReplicaState ReferenceKept => _writes.Where(w => !w.Specs.Any(e => Lost.Contains(e.Dot)))
        .Aggregate(ReplicaState.Empty, (s, d) => s.Apply(d));
    /// <summary>What happened, for a failing property's message.</summary>
    public List<string> Log { get; } = [];
    public int Restarts { get; private set; }
    public int Discards { get; private set; }
    public long NowMs => _time.NowMs;

    private readonly List<Delta> _writes = [];
    private IEnumerable<Silo> Up => Silos.Where(s => s.Up);

    // ---- operations ----------------------------------------------------------------------

    public void Put(int silo, int origin, int variant)
    {
        var s = Silos[silo];
        if (!s.Up) return;
        Write(s, s.State.UpsertSpec(History.Spec(History.OriginId(origin), variant), s.Id, s.Clock));
    }

    public void Delete(int silo, int origin)
    {
        var s = Silos[silo];
        if (!s.Up) return;
        Write(s, s.State.RemoveSpec(History.OriginId(origin), s.Id, s.Clock));
    }

    /// <summary>One push-pull exchange between two silos that are up, as the replica service runs it.</summary>
    public void Exchange(int a, int b)
    {
        var (x, y) = (Silos[a], Silos[b]);
        if (a == b || !x.Up || !y.Up) return;
        Resolve(x);
        Resolve(y);
        // x pulls from y: y learns x's vector, x merges what it lacks.
        y.Planner.Peers.Heard(x.Id, x.State.Version);
        Log.Add($"{NowMs - History.Epoch}: exchange {x.Id} {y.Id}");
        Apply(x, y.State.DeltaSince(x.State.Version));
        x.Planner.Peers.Heard(y.Id, y.State.Version);
        // x pushes to y what y lacks, y answers with its vector.
        var delta = x.State.DeltaSince(x.Planner.Peers.CutFor(y.Id, x.State.Version));
        y.Planner.Peers.Heard(x.Id, x.State.Version);
        Apply(y, delta);
        x.Planner.Peers.Heard(y.Id, y.State.Version);
    }

    public void Prune(int silo)
    {
        var s = Silos[silo];
        if (!s.Up) return;
        Resolve(s);
        var live = Up.Where(p => p != s).Select(p => p.Id).ToList();
        var plan = s.Planner.PlanPrune(s.Id, s.State, live, []);
        if (plan is null) return;
        var before = s.State;
        s.State = before.Prune(plan.Dead, plan.Frontier, plan.Tombstones, plan.TombstonesWrittenBeforeMs).Forget(plan.Forget);
        foreach (var e in before.Registry.Entries.Where(e => s.State.Registry.Get(e.Id) is null))
        {
            s.Journal.Remove(e.Id);
            Log.Add($"{NowMs - History.Epoch}: {s.Id} prunes {e}");
        }
    }

    /// <summary>The process dies: what is not in its journal is gone; the journal stays.</summary>
    public void Crash(int silo)
    {
        if (Silos[silo].Up) Log.Add($"{NowMs - History.Epoch}: crash {Silos[silo].Id}");
        Silos[silo].Up = false;
    }

    /// <summary>The silo starts again on its journal, as the next generation at its address.</summary>
    public void Restart(int silo)
    {
        var s = Silos[silo];
        if (s.Up) return;
        s.Generation++;
        s.Up = true;
        Log.Add($"{NowMs - History.Epoch}: restart {s.Id}");
        Restarts++;
        Boot(s);
    }

    public void Advance(long ms)
    {
        if (ms > StampIntervalMs) Log.Add($"{NowMs - History.Epoch}: pause {ms}");
        _time.Advance(ms);
        foreach (var s in Up) Stamp(s);
    }

    /// <summary>Restarts every silo, then exchanges and prunes until all are equal (or the bound).</summary>
    public bool Settle(int maxRounds = 40)
    {
        for (var i = 0; i < Silos.Length; i++) Restart(i);
        for (var round = 0; round < maxRounds; round++)
        {
            Round();
            if (Converged()) return true;
        }
        return Converged();
    }

    /// <summary>Every silo that is up exchanges with every other, then each prunes.</summary>
    public void Round()
    {
        for (var i = 0; i < Silos.Length; i++)
            for (var j = 0; j < Silos.Length; j++) Exchange(i, j);
        for (var i = 0; i < Silos.Length; i++) Prune(i);
        Advance(StampIntervalMs);
    }

    public bool Converged() =>
        Up.All(s => s.HeldBack is null) &&
        Up.Select(s => Live(s.State)).Distinct().Count() == 1;

    /// <summary>Each silo's registry and whether its journal is held back, then the log: for a failing property's message.</summary>
    public string Describe() =>
        string.Join("\n", Silos.Select(s => $"{s.Id} up={s.Up} heldBack={s.HeldBack is not null} live={Live(s.State)} version={s.State.Version}")
            .Concat(Log));

    public static string Live(ReplicaState state) =>
        string.Join(";", state.Registry.Live.Select(e => $"{e.Id}={e.Spec!.Url}@{e.Generation}"));

    // ---- what LocalReplica and ReplicaService do ------------------------------------------

    private void Boot(Silo s)
    {
        s.Clock = new HlcClock(_time);
        s.Planner = new GossipPlanner(new Random(_random.Next()), _time, TimeSpan.FromMilliseconds(RetentionMs));
        s.State = ReplicaState.Empty;
        s.HeldBack = null;
        s.Seen = [];
        var entries = s.Journal.Values.ToList();
        foreach (var e in entries) s.Clock.Observe(e.Hlc);
        var lastActive = s.LastActiveMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        if (entries.Count > 0 && JournalRecovery.IsStale(lastActive, _time.GetUtcNow(),
                TimeSpan.FromMilliseconds(RetentionMs), TimeSpan.FromMilliseconds(StampIntervalMs)))
        {
            s.HeldBack = entries;
            s.HeldBackStampMs = s.LastActiveMs!.Value;
        }
        else
        {
            if (entries.Count > 0)
                s.State = ReplicaState.Empty.Apply(new Delta([.. entries], [],
                    entries.Aggregate(VersionVector.Empty, (v, e) => v.Add(e.Dot)), VersionVector.Empty));
            s.Seen.UnionWith(entries.Select(e => e.Dot));
            s.Planner.Expect(s.JournalPeers.Where(p => p != s.Id));
            Stamp(s);
        }
    }

    private void Stamp(Silo s)
    {
        if (s.HeldBack is not null) return;
        s.LastActiveMs = _time.NowMs;
        s.JournalPeers = [.. s.Planner.Peers.Known.Keys.Union(s.Planner.Departed.Keys)];
    }

    // A held-back journal: full pulls from every silo that is up, then adopt or discard.
    private void Resolve(Silo s)
    {
        if (s.HeldBack is not { } held) return;
        var live = Up.Where(p => p != s).ToList();
        var answers = new List<JournalRecovery.PeerAnswer>();
        foreach (var peer in live)
        {
            Apply(s, peer.State.DeltaSince(VersionVector.Empty));
            s.Planner.Peers.Heard(peer.Id, peer.State.Version);
            answers.Add(new(peer.Id, !peer.State.Version.IsEmpty, peer.HeldBack is null ? null : peer.HeldBackStampMs));
        }
        switch (JournalRecovery.Decide(s.Id, s.HeldBackStampMs, live.Count, answers))
        {
            case JournalRecovery.Decision.Adopt:
                Log.Add($"{NowMs - History.Epoch}: {s.Id} adopts {string.Join(",", held)}");
                s.HeldBack = null;
                Apply(s, new Delta([.. held], [], held.Aggregate(VersionVector.Empty, (v, e) => v.Add(e.Dot)), VersionVector.Empty));
                Stamp(s);
                break;
            case JournalRecovery.Decision.Discard:
                Log.Add($"{NowMs - History.Epoch}: {s.Id} discards {string.Join(",", held)}");
                s.HeldBack = null;
                foreach (var e in held)
                    if (s.State.Registry.Get(e.Id) is null) s.Journal.Remove(e.Id);
                // A write that no replica that is up has seen and no journal holds is lost with this one
                // (with the writes it replaced there). One that an up replica merged is not, even when its
                // dot has left that replica's vector since (a departed writer's entry, a pruned tombstone).
                foreach (var dot in _writes.SelectMany(w => w.Specs).Select(e => e.Dot))
                    if (!Up.Any(p => p.State.Version.Contains(dot) || p.Seen.Contains(dot)) && !Silos.Any(o => o.Journal.Values.Any(j => j.Dot == dot)))
                        Lost.Add(dot);
                Discards++;
                Stamp(s);
                break;
        }
    }

    private void Apply(Silo s, Delta delta)
    {
        var before = s.State;
        s.State = before.Apply(delta);
        s.Seen.UnionWith(delta.Specs.Select(e => e.Dot));
        foreach (var e in delta.Specs) s.Clock.Observe(e.Hlc);
        foreach (var id in delta.Specs.Select(e => e.Id).Distinct())
            if (s.State.Registry.Get(id) is { } now && !ReferenceEquals(now, before.Registry.Get(id))) s.Journal[id] = now;
    }

    private void Write(Silo s, (ReplicaState State, Delta Delta) write)
    {
        if (write.Delta.IsEmpty) return;
        foreach (var e in write.Delta.Specs) s.Journal[e.Id] = e; // journalled before the write returns
        s.State = write.State;
        s.Seen.UnionWith(write.Delta.Specs.Select(e => e.Dot));
        Log.Add($"{NowMs - History.Epoch}: {s.Id} writes {string.Join(",", write.Delta.Specs)}");
        _writes.Add(write.Delta);
        Reference = Reference.Apply(write.Delta);
    }
}
