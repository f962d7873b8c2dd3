namespace Heck.Membership.Swim;

// The reach contest: which side of a partition may evict whom. With independent suspicion (a death needs no
// majority) each side of a partition declares the other dead; these rules keep the weaker side's verdicts from
// evicting the stronger side, wherever they land, and make the weaker side accept its own death when it hears
// the stronger side's, so that after the partition it rejoins as new generations and one cluster forms again.
public sealed partial class SwimInstance
{
    private const int MaxRejoinHints = 16;

    private enum Verdict { Apply, Ignore, RejectedAboutSelf, SelfDead }

    /// <summary>
    /// Our side: reach = 1 + members we hold Alive (not suspect) that sent us something themselves within the reach
    /// window; the leader is the smallest endpoint among us and them.
    /// </summary>
    internal Side CurrentSide(TimeSpan now)
    {
        var window = _settings.ReachWindowFor(_liveCount);
        var reach = 1;
        var leader = _self;
        foreach (var m in _members.Values)
        {
            if (!IsFresh(m, now, window)) continue;
            reach++;
            if (Side.Compare(m.Node.Endpoint, leader.Node.Endpoint) < 0) leader = m;
        }
        return new Side(reach, leader.EndpointHash);
    }

    private bool IsFresh(MemberState m, TimeSpan now, TimeSpan window) =>
        m != _self && m.Status == MemberStatus.Alive && m.LastHeard is { } heard && now - heard <= window;

    /// <summary>Live (Alive or Suspect: a rumour of a suspicion does not outweigh hearing it) and heard from within the window.</summary>
    private bool IsHeardLive(NodeId node, TimeSpan now) =>
        _members.TryGetValue(node, out var m) && !m.Status.IsFinal() && m.LastHeard is { } heard && now - heard <= _settings.ReachWindowFor(_liveCount);

    /// <summary>
    /// What to do with one update of a message from a sender on side <paramref name="theirs"/>:
    /// a death of ours is accepted only from a stronger side (else ignored, not refuted: Dead stays final);
    /// a death of a member we hold Alive and hear from is ignored from a weaker side (equal sides accept, so news
    /// of a crash spreads as before); from a member we hold dead only news of ourselves counts.
    /// </summary>
    private Verdict Contest(MemberUpdate update, NodeId sender, Side theirs, Side mine, bool fromDead, TimeSpan now)
    {
        if (update.Node == Self)
        {
            if (!update.Status.IsFinal()) return Verdict.Apply;
            if (HasLeft) return Verdict.Ignore;
            return Wins(theirs, sender, mine) ? Verdict.SelfDead : Verdict.RejectedAboutSelf;
        }
        if (fromDead) return Verdict.Ignore;
        if (update.Status == MemberStatus.Dead && mine.Beats(theirs) && IsHeardLive(update.Node, now)) return Verdict.Ignore;
        return Verdict.Apply;
    }

    /// <summary>
    /// Whether the sender's verdict on us stands: its side beats ours, or the sides are the same (one reach, one
    /// leader: two members of one side holding each other dead) and its endpoint is the smaller. Without that last
    /// tie-break two such members would hold each other dead for ever; one of them rejoining costs little.
    /// </summary>
    private bool Wins(Side theirs, NodeId sender, Side mine) =>
        theirs.Beats(mine) || (theirs == mine && Side.Compare(sender.Endpoint, Self.Endpoint) < 0);

    /// <summary>A member we hold dead at this generation, one that expired from the view, or an older generation of an endpoint we know a newer one of.</summary>
    private bool HoldsDead(NodeId node)
    {
        if (_members.TryGetValue(node, out var m)) return m.Status == MemberStatus.Dead;
        if (IsExpired(node)) return true;
        return _latest.TryGetValue(node.Endpoint, out var newest) && newest.Generation > node.Generation;
    }

    /// <summary>
    /// The sender talked to us itself. One that just said we are dead is not on our side, whatever we hold it as:
    /// it stops counting toward our reach, so a member the others evicted loses its contest once they tell it.
    /// </summary>
    private void Heard(NodeId sender, TimeSpan now, bool withUs)
    {
        if (!_members.TryGetValue(sender, out var m) || m.Status.IsFinal()) return;
        m.LastHeard = withUs ? now : null;
    }

    /// <summary>
    /// After a pause of at least the suspicion floor, what we heard before it says nothing about now: a process
    /// resumed after a hang starts at reach 1, so it loses the contest and accepts the death the others declared.
    /// </summary>
    private void ForgetHeardAfterStall(TimeSpan now)
    {
        if (now - _lastTick < _settings.SuspicionMinTimeout(_liveCount)) return;
        foreach (var m in _members.Values)
        {
            if (m.LastHeard is { } heard && heard <= _lastTick) m.LastHeard = null;
        }
    }

    /// <summary>
    /// Our own suspicion just became a death: we may be on the cut-off side of a partition. Members we have not heard
    /// from since that suspicion began stop counting toward our reach. Otherwise a cut-off side keeps counting the
    /// far side for the whole reach window, which outlasts a fast profile's verdicts and heal, and ties (or beats by
    /// the leader hash) the side it was cut from, whose member then accepts a death it should refuse.
    /// </summary>
    private void ForgetHeardBefore(TimeSpan since)
    {
        foreach (var m in _members.Values)
        {
            if (m.LastHeard is { } heard && heard < since) m.LastHeard = null;
        }
    }

    private const int SeedReconnectEvery = 5;
    private TimeSpan _nextReconnectAt;
    private int _reconnectRound;

    /// <summary>
    /// The heal: our verdict to one random member we hold dead (the newest generation of its endpoint, final within
    /// the retention), which either accepts it (it lost the contest and rejoins) or answers with its own verdict
    /// on us, which we then contest; now and then our state to a seed that has no live member in our view (two
    /// clusters that forgot each other, or one formed while the seeds were unreachable).
    /// </summary>
    private void ReconnectTick(TimeSpan now)
    {
        if (_settings.ReconnectInterval == TimeSpan.Zero || now < _nextReconnectAt) return;
        _nextReconnectAt = now + _settings.ReconnectInterval;
        MemberState? pick = null;
        var seen = 0;
        foreach (var m in _members.Values)
        {
            if (m.Status != MemberStatus.Dead || m.FinalAt is not { } at || now - at > _settings.DeadRetention || Self.SameEndpoint(m.Node)) continue;
            if (!_latest.TryGetValue(m.Node.Endpoint, out var newest) || newest != m.Node) continue;
            if (_random.Next(++seen) == 0) pick = m;
        }
        if (pick is not null)
            _output.Send(pick.Node.Endpoint, new Gossip(Self) { Updates = [new MemberUpdate(pick.Node, pick.Incarnation, MemberStatus.Dead, Self)] });
        if (++_reconnectRound % SeedReconnectEvery != 0 || _seeds.Length == 0) return;
        SwimEndpoint? seed = null;
        seen = 0;
        foreach (var candidate in _seeds)
        {
            if (_members.Values.Any(m => !m.Status.IsFinal() && m.Node.SameEndpoint(candidate))) continue;
            if (_random.Next(++seen) == 0) seed = candidate;
        }
        if (seed is { } to) _output.Send(to, new PushPull(Self, Join: false, Reply: false) { Updates = FullState() }, reliable: true);
    }

    /// <summary>Where to rejoin after being declared dead (see <see cref="Directives.RejoinHints"/>).</summary>
    private List<SwimEndpoint> RejoinThrough(NodeId? by)
    {
        var hints = new List<SwimEndpoint>();
        void Add(SwimEndpoint e)
        {
            if (hints.Count < MaxRejoinHints && !Self.SameEndpoint(e) && !hints.Contains(e)) hints.Add(e);
        }
        if (by is { } b) Add(b.Endpoint);
        foreach (var m in _members.Values)
        {
            if (m.Status == MemberStatus.Dead && _latest.TryGetValue(m.Node.Endpoint, out var newest) && newest == m.Node) Add(m.Node.Endpoint);
        }
        foreach (var m in _members.Values)
        {
            if (m != _self && !m.Status.IsFinal()) Add(m.Node.Endpoint);
        }
        foreach (var seed in _seeds) Add(seed);
        return hints;
    }
}
