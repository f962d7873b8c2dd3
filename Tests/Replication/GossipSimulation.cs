namespace Heck.Tests.Replication;

/// <summary>
/// N replicas that write, push deltas and run version-vector anti-entropy over a seeded network
/// that drops, delays, reorders and duplicates messages, and may lose a replica to a crash.
/// Everything follows from <see cref="SimulationOptions"/>, so a failing run replays from its seed.
/// </summary>
internal sealed class GossipSimulation
{
    private abstract record Payload;
    private sealed record Push(Delta Delta, VersionVector Version) : Payload;
    private sealed record PullRequest(VersionVector Version) : Payload;
    private sealed record PullReply(Delta Delta, VersionVector Version) : Payload;
    private sealed record Message(int From, ReplicaId FromId, int To, ReplicaId ToId, Payload Payload);

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly SimulatedReplica[] _replicas;
    private readonly SortedDictionary<long, List<Message>> _inFlight = [];
    private readonly HashSet<ReplicaId> _dead = [];
    private (int Index, long At)? _restart;
    private long _tick;
    private bool _calm; // after the writes: no more loss, so every exchange eventually succeeds

    public GossipSimulation(SimulationOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _replicas = [.. Enumerable.Range(0, options.Replicas).Select(i =>
            new SimulatedReplica(new ReplicaId($"10.0.1.{i + 1}:11111", 7 + i), History.Epoch + _random.Next(0, 500)))];
    }

    public long Sent { get; private set; }
    public long Dropped { get; private set; }
    public long BytesSent { get; private set; }
    /// <summary>Quiet ticks until every live replica had seen every write (same version vector).</summary>
    public long TicksToConverge { get; private set; } = -1;
    /// <summary>Quiet ticks until every live replica held equal state, pruning included.</summary>
    public long TicksToSettle { get; private set; } = -1;
    public IReadOnlyList<SimulatedReplica> Replicas => _replicas;
    private IEnumerable<SimulatedReplica> Live => _replicas.Where(r => r.Alive);

    /// <summary>Runs the writes, then ticks without loss until all live replicas are equal (or the bound).</summary>
    public bool Run()
    {
        for (; _tick < _options.WriteTicks; _tick++) Tick(write: true);
        _calm = true;
        for (var quiet = 0; quiet < _options.QuiescenceTicks; quiet++, _tick++)
        {
            if (TicksToConverge < 0 && Live.All(r => r.State.Version.Equals(Live.First().State.Version))) TicksToConverge = quiet;
            if (Converged())
            {
                TicksToSettle = quiet;
                return true;
            }
            Tick(write: false);
        }
        return Converged();
    }

    /// <summary>Ticks on without writes (and without loss), e.g. to let pruning catch up.</summary>
    public void RunQuiet(int ticks)
    {
        _calm = true;
        for (var i = 0; i < ticks; i++, _tick++) Tick(write: false);
    }

    /// <summary>All live replicas hold equal state and have nothing left to push.</summary>
    public bool Converged()
    {
        var live = Live.ToList();
        return live.All(r => r.Pending.IsEmpty && r.State.Equals(live[0].State));
    }

    private void Tick(bool write)
    {
        foreach (var r in _replicas)
            r.Time.Advance(_random.Next(100) == 0 ? -200 : 10); // now and then an NTP step back
        if (_options.CrashAtTick == _tick) Crash(_random.Next(_replicas.Length));
        if (_restart is { } restart && restart.At == _tick) Restart(restart.Index);
        if (write) Write();
        Deliver();
        foreach (var (r, i) in _replicas.Select((r, i) => (r, i)).Where(x => x.r.Alive))
        {
            if (_options.Mode != GossipMode.Pull && !r.Pending.IsEmpty)
                foreach (var peer in Peers(i, _options.Fanout)) Send(i, peer, new Push(r.Pending, r.State.Version));
            r.Pending = Delta.Empty; // sent, or in pull mode dropped: writes then spread by anti-entropy alone
            if ((_tick + i) % _options.AntiEntropyEveryTicks == 0)
                foreach (var peer in Peers(i, 1))
                {
                    if (_options.Mode == GossipMode.Push)
                    {
                        // Push-only anti-entropy: what the peer lacked when it last told us its vector,
                        // and our vector (also when there is nothing new), so peers can prune.
                        Send(i, peer, new Push(r.State.DeltaSince(r.Peers.CutFor(_replicas[peer].Id, r.State.Version)), r.State.Version));
                    }
                    else Send(i, peer, new PullRequest(r.State.Version));
                }
            if ((_tick + i) % _options.PruneEveryTicks == 0) Prune(r);
        }
    }

    private void Crash(int index)
    {
        _replicas[index].Alive = false;
        _dead.Add(_replicas[index].Id); // every silo learns it at once (membership is not simulated)
        if (_options.RestartAfterTicks is { } after) _restart = (index, _tick + after);
    }

    // The same address comes back as a new generation with an empty replica; it catches up by gossip.
    private void Restart(int index)
    {
        var old = _replicas[index];
        _replicas[index] = new SimulatedReplica(old.Id with { Generation = old.Id.Generation + 100 }, old.Time.NowMs);
    }

    private void Write()
    {
        var live = _replicas.Select((r, i) => (r, i)).Where(x => x.r.Alive).ToList();
        for (var n = _random.Next(3); n > 0; n--)
        {
            var origin = $"origin-{_random.Next(_options.Origins)}";
            var roll = _random.Next(100);
            var (writer, _) = live[_random.Next(live.Count)];
            if (roll < 10)
                writer.Write(writer.State.UpsertSpec(History.Spec(origin, _random.Next(3)), writer.Id, writer.Clock));
            else if (roll < 13)
                writer.Write(writer.State.RemoveSpec(origin, writer.Id, writer.Clock));
            else
            {
                // The owner is a function of the live set, so ownership moves when a replica dies.
                var owner = live[int.Parse(origin["origin-".Length..]) % live.Count].r;
                var prober = roll < 90 ? owner : writer;
                var status = (HealthStatus)_random.Next(4);
                var at = prober.Time.GetUtcNow();
                var view = new HealthView { Status = status, Since = at, LastProbeAt = at, Owner = prober.Id.Address };
                var transition = _random.Next(4) == 0 ? new HealthTransition(at, HealthStatus.Unknown, status, $"t{_tick}") : null;
                prober.Write(prober.State.RecordHealth(origin, view, prober == owner ? transition : null, prober.Id, prober.Clock));
            }
        }
    }

    private void Prune(SimulatedReplica r)
    {
        var live = Live.Select(x => x.Id).ToHashSet();
        r.Peers.RetainOnly(live);
        if (r.Peers.Known.Count < live.Count - 1) return; // not heard from every live peer yet
        var reports = new Dictionary<ReplicaId, VersionVector>(r.Peers.Known) { [r.Id] = r.State.Version };
        r.Frontier = r.Frontier.Next(reports);
        r.State = r.State.Prune(_dead, r.Frontier.Stable);
    }

    private IEnumerable<int> Peers(int self, int count) =>
        Enumerable.Range(0, _replicas.Length)
            .Where(i => i != self && _replicas[i].Alive)
            .OrderBy(_ => _random.Next())
            .Take(count)
            .ToList();

    private void Send(int from, int to, Payload payload)
    {
        Sent++;
        BytesSent += payload switch
        {
            Push p => p.Delta.EstimatedBytes + p.Version.EstimatedBytes,
            PullRequest q => q.Version.EstimatedBytes,
            PullReply p => p.Delta.EstimatedBytes + p.Version.EstimatedBytes,
            _ => 0,
        };
        if (!_calm && _random.NextDouble() < _options.Loss)
        {
            Dropped++;
            return;
        }
        var copies = _random.NextDouble() < _options.Duplication ? 2 : 1;
        for (var c = 0; c < copies; c++)
        {
            var at = _tick + 1 + _random.Next(_options.MaxDelayTicks);
            if (!_inFlight.TryGetValue(at, out var list)) _inFlight[at] = list = [];
            list.Add(new Message(from, _replicas[from].Id, to, _replicas[to].Id, payload));
        }
    }

    private void Deliver()
    {
        if (!_inFlight.Remove(_tick, out var messages)) return;
        foreach (var m in messages)
        {
            // Messages from a silo known dead are refused, as the replica service must; messages to a
            // dead generation are lost with it.
            var to = _replicas[m.To];
            if (_dead.Contains(m.FromId) || to.Id != m.ToId || !to.Alive) continue;
            switch (m.Payload)
            {
                case Push p:
                    to.State = to.State.Apply(p.Delta);
                    to.Peers.Heard(m.FromId, p.Version);
                    break;
                case PullRequest q:
                    to.Peers.Heard(m.FromId, q.Version);
                    Send(m.To, m.From, new PullReply(to.State.DeltaSince(q.Version), to.State.Version));
                    break;
                case PullReply p:
                    to.State = to.State.Apply(p.Delta);
                    to.Peers.Heard(m.FromId, p.Version);
                    if (_options.Mode != GossipMode.Pull)
                    {
                        var back = to.State.DeltaSince(to.Peers.CutFor(m.FromId, to.State.Version));
                        if (!back.IsEmpty) Send(m.To, m.From, new Push(back, to.State.Version));
                    }
                    break;
            }
        }
    }
}
