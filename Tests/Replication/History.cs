namespace Heck.Tests.Replication;

/// <summary>
/// Replays a byte script as a history of replicas that write, probe and exchange state in any
/// order, so properties run over reachable states only: every replica writes only its own
/// slot, with its own clock, and deltas are delivered late, twice, or not at all.
/// </summary>
internal sealed class History
{
    public const long Epoch = 1_700_000_000_000;
    public const int OriginCount = 3;

    public readonly ReplicaId[] Ids;
    public readonly ManualTime[] Times;
    public readonly HlcClock[] Clocks;
    public readonly ReplicaState[] States;
    /// <summary>Every delta a local write produced, in write order, with its writer.</summary>
    public readonly List<(int Writer, Delta Delta)> Written = [];
    /// <summary>Every state any replica held, in order.</summary>
    public readonly List<ReplicaState> Snapshots = [ReplicaState.Empty];
    public readonly List<RegistryEntry> Tombstones = [];
    /// <summary>Transitions written that do not sort after what their writer already showed.</summary>
    public readonly List<string> CausalViolations = [];
    private readonly Dictionary<(int, string), int> _probes = [];
    private readonly bool _pruning;
    private PruneFrontier _frontier = PruneFrontier.Initial;

    public History(int replicas, bool pruning = false)
    {
        _pruning = pruning;
        Ids = [.. Enumerable.Range(0, replicas).Select(i => new ReplicaId($"10.0.0.{i + 1}:11111", 100 + i))];
        // Skewed wall clocks: replica i runs i·37 ms ahead.
        Times = [.. Enumerable.Range(0, replicas).Select(i => new ManualTime(Epoch + i * 37))];
        Clocks = [.. Times.Select(t => new HlcClock(t))];
        States = [.. Enumerable.Repeat(ReplicaState.Empty, replicas)];
    }

    public int Count => Ids.Length;

    public static string OriginId(int i) => $"o{i}";

    public static OriginSpec Spec(string id, int variant) => new()
    {
        Id = id,
        Url = $"http://{id}.test/v{variant}",
        IntervalMs = 1000 + variant,
    };

    public static History Run(byte[]? script, int replicas = 3, bool pruning = false)
    {
        var history = new History(replicas, pruning);
        script ??= [];
        for (var i = 0; i + 3 < script.Length; i += 4) history.Step(script[i], script[i + 1], script[i + 2], script[i + 3]);
        return history;
    }

    public void Step(byte op, byte a, byte b, byte c)
    {
        var r = a % Count;
        switch (op % 8)
        {
            case 0:
            case 1:
                Upsert(r, b % OriginCount, c % 3);
                break;
            case 2:
                Remove(r, b % OriginCount);
                break;
            case 3:
            case 4:
                Probe(r, b % OriginCount, c);
                break;
            case 5:
                Sync(r, b % Count, c % 3);
                break;
            case 6:
                if (Written.Count > 0) Deliver((a * 256 + b) % Written.Count, c % Count);
                break;
            default:
                if (_pruning && (c & 1) != 0) Prune(r);
                else Times[r].Advance((sbyte)c * 3); // forward or back
                break;
        }
    }

    public void Upsert(int r, int origin, int variant) =>
        Write(r, States[r].UpsertSpec(Spec(OriginId(origin), variant), Ids[r], Clocks[r]));

    public void Remove(int r, int origin)
    {
        var (state, delta) = States[r].RemoveSpec(OriginId(origin), Ids[r], Clocks[r]);
        Tombstones.AddRange(delta.Specs);
        Write(r, (state, delta));
    }

    public void Probe(int r, int origin, byte c)
    {
        var id = OriginId(origin);
        var n = _probes[(r, id)] = _probes.GetValueOrDefault((r, id)) + 1;
        var status = (HealthStatus)(c % 4);
        var at = Times[r].GetUtcNow();
        var view = new HealthView { Status = status, Since = at, LastProbeAt = at, Owner = Ids[r].Address, ConsecutiveSuccesses = n };
        var transition = (c & 4) != 0 ? new HealthTransition(at, HealthStatus.Unknown, status, $"probe {n}") : null;
        var before = States[r].Transitions(id);
        Write(r, States[r].RecordHealth(id, view, transition, Ids[r], Clocks[r]));
        var after = States[r].Transitions(id);
        if (transition is not null && after.Count > 0 && before.Any(t => t.CompareTo(after[^1]) >= 0))
            CausalViolations.Add($"{after[^1]} does not follow {string.Join(", ", before)}");
    }

    /// <summary>
    /// Prunes replica r with a frontier made stable from everyone's current vectors, as a silo
    /// would from its peers' reports.
    /// </summary>
    public void Prune(int r)
    {
        _frontier = _frontier.Next(Enumerable.Range(0, Count).ToDictionary(i => Ids[i], i => States[i].Version));
        Set(r, States[r].Prune(new HashSet<ReplicaId>(), _frontier.Stable));
    }

    /// <summary>Prunes every replica with a frontier that covers everything (after <see cref="Quiesce"/>).</summary>
    public void PruneAll()
    {
        for (var i = 0; i < 3; i++)
            _frontier = _frontier.Next(Enumerable.Range(0, Count).ToDictionary(j => Ids[j], j => States[j].Version));
        for (var r = 0; r < Count; r++) Set(r, States[r].Prune(new HashSet<ReplicaId>(), _frontier.Stable));
    }

    /// <summary>kind 0: delta against the receiver's vector; 1: full merge; 2: full state as a delta.</summary>
    public void Sync(int from, int to, int kind) => Set(to, kind switch
    {
        0 => States[to].Apply(States[from].DeltaSince(States[to].Version)),
        1 => States[to].Merge(States[from]),
        _ => States[to].Apply(States[from].DeltaSince(VersionVector.Empty)),
    });

    public void Deliver(int index, int to) => Set(to, States[to].Apply(Written[index].Delta));

    private void Write(int r, (ReplicaState State, Delta Delta) write)
    {
        if (!write.Delta.IsEmpty) Written.Add((r, write.Delta));
        Set(r, write.State);
    }

    public void Set(int r, ReplicaState state)
    {
        States[r] = state;
        Snapshots.Add(state);
    }

    public ReplicaState Snapshot(int i) => Snapshots[i % Snapshots.Count];

    /// <summary>The join of every replica's state.</summary>
    public ReplicaState Join() => States.Aggregate(ReplicaState.Empty, (a, b) => a.Merge(b));

    /// <summary>Eventual delivery: push-pull anti-entropy around the ring until nothing changes.</summary>
    public void Quiesce()
    {
        for (var round = 0; round < 2 * Count; round++)
            for (var i = 0; i < Count; i++)
                Sync(i, (i + 1) % Count, 0);
    }
}
