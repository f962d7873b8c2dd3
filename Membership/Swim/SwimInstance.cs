namespace Heck.Membership.Swim;

/// <summary>
/// The SWIM + Lifeguard protocol as a pure state machine (no I/O, no clocks of its own, no threads):
/// feed it ticks and received messages, do what the returned <see cref="Directives"/> say.
/// Not thread-safe: the host calls it from one thread (or under one lock) at a time.
/// </summary>
public sealed partial class SwimInstance
{
    private readonly SwimSettings settings;
    private readonly TimeProvider time;
    private readonly Random random;
    private readonly IMessageSizes sizes;
    private readonly long origin;
    private readonly Dictionary<NodeId, MemberState> members = [];
    // Highest generation seen per endpoint; older generations are dead by definition.
    private readonly Dictionary<SwimEndpoint, NodeId> latest = [];
    private readonly List<MemberState> suspects = [];
    private readonly MemberState self;
    private readonly BroadcastQueue broadcasts = new();
    private readonly Awareness awareness;
    private readonly ProbeScheduler scheduler;
    private readonly DirectivesBuilder output = new();
    private readonly List<MemberUpdate> gossipBuffer = [];
    private readonly List<MemberState> pickBuffer = [];
    private readonly Func<NodeId, bool> probeEligible;
    private readonly Func<NodeId, bool> stillUnconfirmedByMe;

    private long version;
    private int liveCount; // members (self included) that are neither dead nor left
    private SwimView? view;
    private TimeSpan lastTick;
    private SwimEndpoint[] seeds = [];
    private TimeSpan nextJoinAttempt;

    /// <param name="sizes">Encoded sizes of the wire format the host speaks, to fill datagrams.</param>
    public SwimInstance(SwimSettings settings, NodeId self, Metadata metadata, TimeProvider time, Random random, IMessageSizes sizes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(sizes);
        if (settings.Validate() is { Count: > 0 } errors) throw new ArgumentException(string.Join(" ", errors), nameof(settings));
        if (NodeId.Check(self.Host, self.Port) is { } error) throw new ArgumentException($"Self node id: {error}.", nameof(self));

        this.settings = settings;
        this.time = time;
        this.random = random;
        this.sizes = sizes;
        origin = time.GetTimestamp();
        awareness = new Awareness(settings.AwarenessMaxMultiplier);
        scheduler = new ProbeScheduler(random);
        probeEligible = n => n != Self && members.TryGetValue(n, out var m) && !m.Status.IsFinal();
        stillUnconfirmedByMe = n => members.TryGetValue(n, out var m) && m.Suspicion is { } s && !s.Contains(Self);

        this.self = new MemberState(self, 0, MemberStatus.Alive, metadata, hasMetadata: true, metadataIncarnation: 0);
        members[self] = this.self;
        latest[self.Endpoint] = self;
        liveCount = 1;
        version = 1 + this.self.Weight;
        Enqueue(SelfUpdate());
        var now = Now();
        lastTick = now;
        // Spread the first push-pull so that members started together do not sync in lockstep.
        nextPushPullAt = now + Jitter(settings.PushPullInterval);
        nextProbeAt = now + Jitter(settings.ProbeInterval);
    }

    public NodeId Self => self.Node;
    public SwimSettings Settings => settings;
    public uint Incarnation => self.Incarnation;
    public Metadata Metadata => self.Metadata;
    public bool IsJoined { get; private set; }
    public bool HasLeft => self.Status == MemberStatus.Left;
    /// <summary>The cluster declared this generation dead; the instance ignores everything from then on.</summary>
    public bool IsDeclaredDead { get; private set; }
    /// <summary>Lifeguard local health score, 0 (healthy) .. AwarenessMaxMultiplier - 1.</summary>
    public int LocalHealthScore => awareness.Score;
    /// <summary>Rises with every change of the view; never falls.</summary>
    public long Version => version;
    public int LiveMemberCount => liveCount;

    public SwimView View
    {
        get
        {
            if (view is { } v) return v;
            var infos = new MemberInfo[members.Count];
            var i = 0;
            foreach (var m in members.Values) infos[i++] = m.ToInfo();
            Array.Sort(infos, static (a, b) =>
            {
                var c = string.CompareOrdinal(a.Node.Host, b.Node.Host);
                if (c == 0) c = a.Node.Port.CompareTo(b.Node.Port);
                return c != 0 ? c : a.Node.Generation.CompareTo(b.Node.Generation);
            });
            return view = new SwimView(version, Self, infos);
        }
    }

    /// <summary>Drives probes, timeouts, suspicion expiry, gossip and push-pull. Call about every ProbeInterval / 10.</summary>
    public Directives OnTick()
    {
        if (IsDeclaredDead) return Directives.None;
        var now = Now();
        // A tick much later than expected means this process was paused or starved: our own probe
        // timed out because of us, so it yields no verdict on the target (and we were unhealthy).
        var stalled = now - lastTick > settings.ProbeInterval;
        lastTick = now;
        if (!IsJoined && seeds.Length > 0 && now >= nextJoinAttempt) SendJoin(now);
        if (!HasLeft) ProbeTick(now, stalled);
        RelayTick(now);
        if (!HasLeft) SuspicionTick(now);
        GossipTick(now);
        if (!HasLeft && IsJoined) PushPullTick(now);
        return output.Build();
    }

    /// <summary>
    /// A message arrived. <paramref name="from"/> is the sender as established by the transport, or null to
    /// trust <see cref="SwimMessage.From"/> (what the authenticated packet says).
    /// </summary>
    public Directives OnMessage(NodeId? from, SwimMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (IsDeclaredDead) return Directives.None;
        var sender = from ?? message.From;
        if (sender == Self) return Directives.None;
        var now = Now();
        foreach (var update in message.Updates)
        {
            Apply(update, sender, now);
            if (IsDeclaredDead) return output.Build();
        }
        switch (message)
        {
            case Ping ping: OnPing(sender, ping); break;
            case PingReq req: OnPingReq(sender, req, now); break;
            case Ack ack: OnAck(ack); break;
            case Nack nack: OnNack(nack); break;
            case PushPull pushPull: OnPushPull(sender, pushPull); break;
        }
        TellIfDead(sender);
        return output.Build();
    }

    private TimeSpan Now() => time.GetElapsedTime(origin);

    private TimeSpan Jitter(TimeSpan upTo) => upTo * random.NextDouble();

    private NodeId? FindLive(NodeId node) => members.TryGetValue(node, out var m) && !m.Status.IsFinal() ? node : null;

    /// <summary>Majority of the members that are not dead or left (the suspect included), or the configured smaller minimum.</summary>
    internal int RequiredConfirmations()
    {
        var majority = liveCount / 2 + 1;
        return settings.MinConfirmations is { } min ? Math.Min(majority, min) : majority;
    }

    /// <summary>Up to <paramref name="count"/> random live members other than self and <paramref name="except"/>.</summary>
    private List<MemberState> PickRandom(int count, NodeId? except, bool aliveOnly)
    {
        pickBuffer.Clear();
        if (count <= 0) return pickBuffer;
        var seen = 0;
        foreach (var m in members.Values)
        {
            if (m == self || m.Status.IsFinal() || m.Node == except) continue;
            if (aliveOnly && m.Status != MemberStatus.Alive) continue;
            // Reservoir sampling: one pass, no extra list.
            seen++;
            if (pickBuffer.Count < count) pickBuffer.Add(m);
            else
            {
                var j = random.Next(seen);
                if (j < count) pickBuffer[j] = m;
            }
        }
        return pickBuffer;
    }
}
