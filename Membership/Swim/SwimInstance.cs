namespace Heck.Membership.Swim;

/// <summary>
/// The SWIM + Lifeguard protocol as a pure state machine (no I/O, no clocks of its own, no threads):
/// feed it ticks and received messages, do what the returned <see cref="Directives"/> say.
/// Not thread-safe: the host calls it from one thread (or under one lock) at a time.
/// </summary>
public sealed partial class SwimInstance
{
    private readonly SwimSettings _settings;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly IMessageSizes _sizes;
    private readonly long _origin;
    private readonly Dictionary<NodeId, MemberState> _members = [];
    // Highest generation seen per endpoint; older generations are dead by definition.
    private readonly Dictionary<SwimEndpoint, NodeId> _latest = [];
    private readonly List<MemberState> _suspects = [];
    private readonly MemberState _self;
    private readonly BroadcastQueue _broadcasts = new();
    private readonly Awareness _awareness;
    private readonly ProbeScheduler _scheduler;
    private readonly DirectivesBuilder _output = new();
    private readonly List<MemberUpdate> _gossipBuffer = [];
    private readonly List<MemberState> _pickBuffer = [];
    private readonly Func<NodeId, bool> _probeEligible;
    private readonly Func<NodeId, bool> _stillUnconfirmedByMe;

    private long _version;
    private int _liveCount; // members (self included) that are neither dead nor left
    private SwimView? _view;
    private TimeSpan _lastTick;
    private SwimEndpoint[] _seeds = [];
    private TimeSpan _nextJoinAttempt;

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

        _settings = settings;
        _time = time;
        _random = random;
        _sizes = sizes;
        _origin = time.GetTimestamp();
        _awareness = new Awareness(settings.AwarenessMaxMultiplier);
        _scheduler = new ProbeScheduler(random);
        _probeEligible = n => n != Self && _members.TryGetValue(n, out var m) && !m.Status.IsFinal();
        _stillUnconfirmedByMe = n => _members.TryGetValue(n, out var m) && m.Suspicion is { } s && !s.Contains(Self);

        _self = new MemberState(self, 0, MemberStatus.Alive, metadata, hasMetadata: true, metadataIncarnation: 0);
        _members[self] = _self;
        _latest[self.Endpoint] = self;
        _liveCount = 1;
        _version = 1 + _self.Weight;
        Enqueue(SelfUpdate());
        var now = Now();
        _lastTick = now;
        // Spread the first push-pull so that members started together do not sync in lockstep.
        _nextPushPullAt = now + Jitter(settings.PushPullInterval);
        _nextProbeAt = now + Jitter(settings.ProbeInterval);
    }

    public NodeId Self => _self.Node;
    public SwimSettings Settings => _settings;
    public uint Incarnation => _self.Incarnation;
    public Metadata Metadata => _self.Metadata;
    public bool IsJoined { get; private set; }
    public bool HasLeft => _self.Status == MemberStatus.Left;
    /// <summary>The cluster declared this generation dead; the instance ignores everything from then on.</summary>
    public bool IsDeclaredDead { get; private set; }
    /// <summary>When declared dead: where to rejoin as a new generation (see <see cref="Directives.RejoinHints"/>); else empty.</summary>
    public IReadOnlyList<SwimEndpoint> RejoinHints { get; private set; } = [];
    /// <summary>Lifeguard local health score, 0 (healthy) .. AwarenessMaxMultiplier - 1.</summary>
    public int LocalHealthScore => _awareness.Score;
    /// <summary>Rises with every change of the view; never falls.</summary>
    public long Version => _version;
    public int LiveMemberCount => _liveCount;

    public SwimView View
    {
        get
        {
            if (_view is { } v) return v;
            var infos = new MemberInfo[_members.Count];
            var i = 0;
            foreach (var m in _members.Values) infos[i++] = m.ToInfo();
            Array.Sort(infos, static (a, b) =>
            {
                var c = string.CompareOrdinal(a.Node.Host, b.Node.Host);
                if (c == 0) c = a.Node.Port.CompareTo(b.Node.Port);
                return c != 0 ? c : a.Node.Generation.CompareTo(b.Node.Generation);
            });
            return _view = new SwimView(_version, Self, infos);
        }
    }

    /// <summary>Drives probes, timeouts, suspicion expiry, gossip and push-pull. Call about every ProbeInterval / 10.</summary>
    public Directives OnTick()
    {
        if (IsDeclaredDead) return Directives.None;
        var now = Now();
        // A tick much later than expected means this process was paused or starved: our own probe
        // timed out because of us, so it yields no verdict on the target (and we were unhealthy).
        var stalled = now - _lastTick > _settings.ProbeInterval;
        ForgetHeardAfterStall(now);
        _lastTick = now;
        if (!IsJoined && _seeds.Length > 0 && now >= _nextJoinAttempt) SendJoin(now);
        if (!HasLeft) ProbeTick(now, stalled);
        RelayTick(now);
        if (!HasLeft) SuspicionTick(now);
        if (!HasLeft) ExpiryTick(now);
        GossipTick(now);
        if (!HasLeft && IsJoined) PushPullTick(now);
        if (!HasLeft && IsJoined) ReconnectTick(now);
        return Finish(now);
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
        ForgetHeardAfterStall(now);
        // The contest is judged on what we knew before this message (before the sender counts as heard).
        var mine = CurrentSide(now);
        var heldDead = HoldsDead(sender);
        var saysWeAreDead = false;
        foreach (var update in message.Updates)
        {
            switch (Contest(update, sender, message.Side, mine, heldDead, now))
            {
                case Verdict.Ignore:
                    continue;
                case Verdict.RejectedAboutSelf:
                    saysWeAreDead = true;
                    continue;
                case Verdict.SelfDead:
                    DeclareSelfDead(sender);
                    return Finish(now);
            }
            Apply(update, sender, now);
            if (IsDeclaredDead) return Finish(now);
        }
        if (heldDead)
        {
            // No ack, no relay, no state: it must go on failing to reach us, and it hears our verdict instead.
            TellIfDead(sender);
            return Finish(now);
        }
        Heard(sender, now, !saysWeAreDead);
        switch (message)
        {
            case Ping ping: OnPing(sender, ping); break;
            case PingReq req: OnPingReq(sender, req, now); break;
            case Ack ack: OnAck(ack); break;
            case Nack nack: OnNack(nack); break;
            case PushPull pushPull: OnPushPull(sender, pushPull); break;
        }
        TellIfDead(sender);
        return Finish(now);
    }

    /// <summary>Ends a call: what to do, every message stamped with our side.</summary>
    private Directives Finish(TimeSpan now) => _output.Build(_output.HasMessages ? CurrentSide(now) : default);

    private TimeSpan Now() => _time.GetElapsedTime(_origin);

    private TimeSpan Jitter(TimeSpan upTo) => upTo * _random.NextDouble();

    private NodeId? FindLive(NodeId node) => _members.TryGetValue(node, out var m) && !m.Status.IsFinal() ? node : null;

    /// <summary>Up to <paramref name="count"/> random live members other than self and <paramref name="except"/>.</summary>
    private List<MemberState> PickRandom(int count, NodeId? except, bool aliveOnly)
    {
        _pickBuffer.Clear();
        if (count <= 0) return _pickBuffer;
        var seen = 0;
        foreach (var m in _members.Values)
        {
            if (m == _self || m.Status.IsFinal() || m.Node == except) continue;
            if (aliveOnly && m.Status != MemberStatus.Alive) continue;
            // Reservoir sampling: one pass, no extra list.
            seen++;
            if (_pickBuffer.Count < count) _pickBuffer.Add(m);
            else
            {
                var j = _random.Next(seen);
                if (j < count) _pickBuffer[j] = m;
            }
        }
        return _pickBuffer;
    }
}
