using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Heck.Tests.Membership.Simulation;

/// <summary>
/// A deterministic discrete-event simulation of SWIM instances over a virtual network: one seed fixes
/// every delay, loss, duplicate, shuffle and tick phase, so any failure replays exactly.
/// </summary>
public sealed class Simulator
{
    private readonly PriorityQueue<Event, (long, long)> _events = new();
    private readonly Dictionary<SwimEndpoint, SimNode> _byEndpoint = [];
    private readonly Random _net;
    private readonly TimeSpan _tickInterval;
    private readonly SwimCodec? _codec;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int[]? _partition;
    private long _order;
    private readonly Dictionary<SimNode, long> _versions = [];

    private abstract record Event;
    private sealed record TickEvent(SimNode Node) : Event;
    private sealed record DeliverEvent(SimNode To, NodeId From, SwimMessage Message) : Event;
    private sealed record ActionEvent(Action Action) : Event;

    public Simulator(SimOptions options, int seed)
    {
        Options = options;
        Seed = seed;
        _net = new Random(seed);
        _tickInterval = options.Settings.ProbeInterval / 10;
        if (options.UseCodec) _codec = new SwimCodec();
        for (var i = 0; i < options.Members; i++) AddNode();
    }

    public SimOptions Options { get; }
    public int Seed { get; }
    public FakeTimeProvider Time { get; } = new();
    public TimeSpan Now => Time.GetUtcNow() - Time.Start;
    public List<SimNode> Nodes { get; } = [];
    /// <summary>Every change every node reported: when, who saw it, what.</summary>
    public List<(TimeSpan At, SimNode Observer, MemberStatusChanged Change)> Changes { get; } = [];
    public long DatagramsSent { get; private set; }
    public long BytesSent { get; private set; }
    public double Loss { get; set; }
    /// <summary>Called after every call into a node, with what it returned (its state is the new one).</summary>
    public Action<SimNode, Directives>? Observe { get; set; }
    /// <summary>Times a member's view version was seen lower than before (must stay 0).</summary>
    public int VersionDrops { get; private set; }

    public SimNode AddNode(long generation = 1, int? port = null) => AddNode(Nodes.Count, generation, port, null);

    private SimNode AddNode(int slot, long generation, int? port, SimNode? predecessor)
    {
        var index = Nodes.Count;
        var id = new NodeId("10.0.0." + (slot % 250 + 1), port ?? 7946 + slot / 250, generation);
        var swim = new SwimInstance(Options.Settings, id, new Metadata([new("silo", $"10.0.0.{slot % 250 + 1}:11111")]), Time, new Random(unchecked(Seed * 1_000_003 + index * 7919 + (int)generation * 104_729)) /* not HashCode: it is randomized per process */, WireSizes.Instance);
        var node = new SimNode(index, swim, slot) { Predecessor = predecessor };
        Nodes.Add(node);
        _byEndpoint[id.Endpoint] = node;
        Loss = Options.Loss;
        // Random phase so that ticks of different members interleave.
        Schedule(Now + _tickInterval * _net.NextDouble(), new TickEvent(node));
        return node;
    }

    /// <summary>Node 0 starts the cluster, the others join through it.</summary>
    public void JoinAll()
    {
        Handle(Nodes[0], Nodes[0].Swim.Join([]));
        var seed = (Nodes[0].Id.Host, Nodes[0].Id.Port);
        foreach (var node in Nodes.Skip(1)) Handle(node, node.Swim.Join([seed]));
    }

    public void Join(SimNode node, SimNode seed) => Handle(node, node.Swim.Join([(seed.Id.Host, seed.Id.Port)]));

    /// <summary>The next generation of <paramref name="dead"/>'s endpoint, joining through <paramref name="through"/>.</summary>
    public SimNode Rejoin(SimNode dead, IEnumerable<SwimEndpoint> through)
    {
        var node = AddNode(dead.Slot, dead.Id.Generation + 1, dead.Id.Port, dead);
        Handle(node, node.Swim.Join(through.Select(e => (e.Host, e.Port))));
        return node;
    }

    /// <summary>Probability that a datagram from or to a slot is lost, on top of <see cref="Loss"/> (a flaky member).</summary>
    public Dictionary<int, double> SlotLoss { get; } = [];

    /// <summary>The newest generation in each slot.</summary>
    public IEnumerable<SimNode> Current => Nodes.GroupBy(n => n.Slot).Select(g => g.Last());

    /// <summary>
    /// One cluster: every slot's newest generation runs, and each sees every other one Alive.
    /// </summary>
    public bool OneCluster()
    {
        var current = Current.ToList();
        return current.All(n => n.Running) && current.All(o => current.All(m => o == m || o.Swim.View.StatusOf(m.Id) == MemberStatus.Alive));
    }
    public void Crash(SimNode node) => node.Crashed = true;

    public void Pause(SimNode node) => node.Paused = true;

    public void Resume(SimNode node)
    {
        node.Paused = false;
        var bounded = node.Buffered.Count;
        for (var i = 0; i < bounded && node.Buffered.TryDequeue(out var item) && node.Running; i++)
            Handle(node, node.Swim.OnMessage(null, item.Message));
    }

    public void Leave(SimNode node) => Handle(node, node.Swim.Leave());

    /// <summary>Members in different groups (indexed by slot) cannot talk; null heals.</summary>
    public void Partition(int[]? groups) => _partition = groups;

    public void At(TimeSpan when, Action action) => Schedule(when, new ActionEvent(action));

    /// <summary>Runs until <paramref name="until"/> or until <paramref name="stop"/> holds (checked after each event).</summary>
    public void Run(TimeSpan until, Func<bool>? stop = null)
    {
        var nextCheck = Now;
        // Bounded: at most this many events (far above what any test needs).
        for (var step = 0; step < 200_000_000 && _events.TryPeek(out _, out var at) && at.Item1 <= until.Ticks; step++)
        {
            var e = _events.Dequeue();
            AdvanceTo(TimeSpan.FromTicks(at.Item1));
            switch (e)
            {
                case TickEvent t:
                    if (t.Node.Running)
                    {
                        if (!t.Node.Paused) Handle(t.Node, t.Node.Swim.OnTick());
                        Schedule(Now + _tickInterval, t);
                    }
                    break;
                case DeliverEvent d:
                    if (!d.To.Running) break;
                    if (d.To.Paused)
                    {
                        if (d.To.Buffered.Count < 4096) d.To.Buffered.Enqueue((d.From, d.Message));
                        break;
                    }
                    Handle(d.To, d.To.Swim.OnMessage(null, d.Message));
                    break;
                case ActionEvent a:
                    a.Action();
                    break;
            }
            // Stop conditions can be costly (view comparisons): look every 50 virtual ms.
            if (stop is not null && Now >= nextCheck)
            {
                nextCheck = Now + TimeSpan.FromMilliseconds(50);
                if (stop()) return;
            }
        }
        AdvanceTo(until);
    }

    // Virtual time never runs backwards: an event due in the past runs now.
    private void AdvanceTo(TimeSpan elapsed)
    {
        if (elapsed > Now) Time.SetUtcNow(Time.Start + elapsed);
    }

    private void Handle(SimNode node, Directives directives)
    {
        var version = node.Swim.Version;
        if (_versions.TryGetValue(node, out var last) && version < last) VersionDrops++;
        _versions[node] = version;
        foreach (var change in directives.Changes) Changes.Add((Now, node, change));
        Observe?.Invoke(node, directives);
        if (directives.SelfDeclaredDead)
        {
            node.SelfDead = true;
            if (Options.RejoinAfter is { } after)
            {
                var hints = directives.RejoinHints.Count > 0 ? directives.RejoinHints : [Nodes[0].Id.Endpoint];
                At(Now + after, () => { if (_byEndpoint[node.Id.Endpoint] == node) Rejoin(node, hints); });
            }
        }
        foreach (var send in directives.Messages)
        {
            if (!_byEndpoint.TryGetValue(send.To, out var to)) continue;
            var message = send.Message;
            if (_codec is not null)
            {
                var limit = send.Reliable ? _codec.Options.MaxStreamBytes : _codec.Options.MaxDatagramBytes;
                if (!send.Reliable && _codec.PacketSize(message) > limit)
                    throw new InvalidOperationException($"seed {Seed}: a {message.GetType().Name} of {_codec.PacketSize(message)} bytes exceeds a datagram");
                if (!_codec.TryEncode(message, _buffer, limit, out var written) || !_codec.TryDecode(_buffer.AsSpan(0, written), limit, out var decoded, out var reason))
                    throw new InvalidOperationException($"seed {Seed}: codec round trip failed for {message}");
                message = decoded!;
                BytesSent += written;
            }
            DatagramsSent++;
            if (_partition is { } groups && groups[node.Slot] != groups[to.Slot]) continue;
            if (!send.Reliable && _net.NextDouble() < Loss) continue;
            if (!send.Reliable && SlotLoss.Count > 0 && ((SlotLoss.TryGetValue(node.Slot, out var p) && _net.NextDouble() < p) || (SlotLoss.TryGetValue(to.Slot, out var q) && _net.NextDouble() < q))) continue;
            var copies = !send.Reliable && _net.NextDouble() < Options.Duplication ? 2 : 1;
            for (var c = 0; c < copies; c++)
            {
                var delay = Options.MinDelay + (Options.MaxDelay - Options.MinDelay) * _net.NextDouble();
                Schedule(Now + delay, new DeliverEvent(to, node.Id, message));
            }
        }
    }

    private void Schedule(TimeSpan at, Event e) => _events.Enqueue(e, (at.Ticks, ++_order));

    // ---- observations ----

    public IEnumerable<SimNode> Live => Nodes.Where(n => n.Running);

    /// <summary>The node with this exact id (endpoint and generation), if it is the newest on its endpoint.</summary>
    public SimNode? Find(NodeId id) => _byEndpoint.TryGetValue(id.Endpoint, out var n) && n.Id == id ? n : null;

    /// <summary>When <paramref name="observer"/> first saw <paramref name="subject"/> reach <paramref name="status"/>, if it did.</summary>
    public TimeSpan? FirstSeen(SimNode observer, NodeId subject, MemberStatus status)
    {
        foreach (var (at, who, change) in Changes)
        {
            if (who == observer && change.Node == subject && change.New == status) return at;
        }
        return null;
    }

    /// <summary>Deaths (by anyone) of members that were never crashed, paused or partitioned away.</summary>
    public IEnumerable<(TimeSpan At, SimNode Observer, NodeId Victim)> DeathsOf(IEnumerable<SimNode> subjects)
    {
        var ids = subjects.Select(s => s.Id).ToHashSet();
        return Changes.Where(c => c.Change.New == MemberStatus.Dead && ids.Contains(c.Change.Node)).Select(c => (c.At, c.Observer, c.Change.Node));
    }

    /// <summary>Whether all running members hold the same (incarnation, status) for every member.</summary>
    public bool Converged()
    {
        string? first = null;
        foreach (var node in Live)
        {
            var key = string.Join(";", node.Swim.View.Members.Select(m => $"{m.Node}:{m.Incarnation}:{m.Status}"));
            if (first is null) first = key;
            else if (key != first) return false;
        }
        return true;
    }

    public bool AllSee(Func<SimNode, bool> observers, NodeId subject, MemberStatus status) =>
        Live.Where(observers).All(o => o.Swim.View.StatusOf(subject) == status);

    public string Describe() =>
        $"seed {Seed}, t={Now.TotalSeconds:F1}s\n" + string.Join("\n", Nodes.Select(n =>
            $"  {n.Id} crashed={n.Crashed} paused={n.Paused} selfDead={n.SelfDead} health={n.Swim.LocalHealthScore} inc={n.Swim.Incarnation} view: " +
            string.Join(" ", n.Swim.View.Members.Select(m => $"{m.Node.Host}:{m.Node.Port}@{m.Node.Generation}={m.Status}/{m.Incarnation}"))));
}
