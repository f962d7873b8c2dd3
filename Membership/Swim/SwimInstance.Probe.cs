namespace Heck.Membership.Swim;

// Failure detection: one probe per period, direct ping, then ping-req through k helpers,
// relaying for others, and suspicions turning into deaths.
public sealed partial class SwimInstance
{
    private struct Probe
    {
        public bool Active;
        public NodeId Target;
        public uint SeqNo;
        public TimeSpan DirectDeadline;
        public TimeSpan PeriodEnd;
        public bool IndirectSent;
        public int ExpectedNacks;
        public int Nacks;
    }

    private readonly record struct Relay(NodeId Requester, uint RequesterSeqNo, TimeSpan Deadline, bool WantNack);

    private readonly Dictionary<uint, Relay> _relays = [];
    private readonly List<uint> _expiredRelays = [];
    private Probe _probe;
    private uint _nextSeqNo;
    private TimeSpan _nextProbeAt;

    private void ProbeTick(TimeSpan now, bool stalled)
    {
        if (_probe.Active)
        {
            if (stalled)
            {
                _probe.Active = false;
                _awareness.Apply(1);
                _nextProbeAt = now;
            }
            else if (now >= _probe.PeriodEnd)
            {
                ProbeFailed(now);
            }
            else if (!_probe.IndirectSent && now >= _probe.DirectDeadline)
            {
                SendIndirect();
            }
        }
        if (!_probe.Active && now >= _nextProbeAt) StartProbe(now);
    }

    private void StartProbe(TimeSpan now)
    {
        var interval = _awareness.Scale(_settings.ProbeInterval);
        if (_scheduler.Next(_probeEligible, _stillUnconfirmedByMe) is not { } target)
        {
            _nextProbeAt = now + interval;
            return;
        }
        var seq = ++_nextSeqNo;
        _probe = new Probe
        {
            Active = true,
            Target = target,
            SeqNo = seq,
            DirectDeadline = now + _awareness.Scale(_settings.ProbeTimeout),
            PeriodEnd = now + interval,
        };
        var updates = Piggyback(_sizes.PingBaseSize(Self, target), Buddy(target));
        _output.Send(target.Endpoint, new Ping(Self, seq, target) { Updates = updates });
    }

    /// <summary>
    /// Buddy system: any ping to a member we hold suspect (our own probe or one relayed for another) carries the
    /// suspicion, so a live suspect refutes at once — or, when it already outbid it, tells us so in its ack.
    /// </summary>
    private MemberUpdate? Buddy(NodeId target) =>
        _members.TryGetValue(target, out var member) && member.Suspicion is { } s
            ? new MemberUpdate(target, member.Incarnation, MemberStatus.Suspect, s.Contains(Self) ? Self : s.Confirmers.First())
            : null;

    private void SendIndirect()
    {
        _probe.IndirectSent = true;
        var helpers = PickRandom(_settings.IndirectChecks, _probe.Target, aliveOnly: true);
        _probe.ExpectedNacks = helpers.Count;
        var baseSize = _sizes.PingReqBaseSize(Self, _probe.Target);
        foreach (var helper in helpers)
            _output.Send(helper.Node.Endpoint, new PingReq(Self, _probe.SeqNo, _probe.Target, WantNack: true) { Updates = Piggyback(baseSize, null) });
    }

    private void ProbeFailed(TimeSpan now)
    {
        _probe.Active = false;
        _nextProbeAt = now;
        // Lifeguard: helpers that did not even nack suggest our own network is the problem.
        _awareness.Apply(_probe.ExpectedNacks > 0 ? _probe.ExpectedNacks - _probe.Nacks : 1);
        if (!_members.TryGetValue(_probe.Target, out var target) || target.Status.IsFinal()) return;
        if (target.Status == MemberStatus.Alive)
        {
            SetState(target, target.Incarnation, MemberStatus.Suspect, now, Self);
        }
        else if (target.Suspicion!.Confirm(Self))
        {
            Enqueue(new MemberUpdate(target.Node, target.Incarnation, MemberStatus.Suspect, Self));
        }
    }

    private void OnAck(Ack ack)
    {
        if (_probe.Active && ack.SeqNo == _probe.SeqNo)
        {
            _probe.Active = false;
            _nextProbeAt = _probe.PeriodEnd; // one probe per period, however fast the answer
            _awareness.Apply(-1);
        }
        else if (_relays.Remove(ack.SeqNo, out var relay))
        {
            _output.Send(relay.Requester.Endpoint, new Ack(Self, relay.RequesterSeqNo) { Updates = Piggyback(_sizes.AckBaseSize(Self), null) });
        }
    }

    private void OnNack(Nack nack)
    {
        if (_probe.Active && nack.SeqNo == _probe.SeqNo) _probe.Nacks++;
    }

    private void OnPing(NodeId sender, Ping ping)
    {
        if (ping.Target != Self) return; // meant for another generation of this endpoint: let it fail
        _output.Send(sender.Endpoint, new Ack(Self, ping.SeqNo) { Updates = Piggyback(_sizes.AckBaseSize(Self), null) });
    }

    private void OnPingReq(NodeId sender, PingReq req, TimeSpan now)
    {
        if (req.Target == Self)
        {
            OnPing(sender, new Ping(req.From, req.SeqNo, Self));
            return;
        }
        if (_relays.Count >= _settings.MaxPendingRelays) return;
        // Only a live member of our view is pinged on request: a packet must not aim this silo at any address it names.
        if (FindLive(req.Target) is null) return;
        // A member we hold dead gets nothing but our verdict (it would count a relayed ping as us being with it).
        if (HoldsDead(req.Target)) return;
        var seq = ++_nextSeqNo;
        _relays[seq] = new Relay(sender, req.SeqNo, now + _settings.ProbeTimeout, req.WantNack);
        var updates = Piggyback(_sizes.PingBaseSize(Self, req.Target), Buddy(req.Target));
        _output.Send(req.Target.Endpoint, new Ping(Self, seq, req.Target) { Updates = updates });
    }

    private void RelayTick(TimeSpan now)
    {
        if (_relays.Count == 0) return;
        _expiredRelays.Clear();
        foreach (var (seq, relay) in _relays)
        {
            if (now >= relay.Deadline) _expiredRelays.Add(seq);
        }
        foreach (var seq in _expiredRelays)
        {
            _relays.Remove(seq, out var relay);
            if (!relay.WantNack) continue;
            _output.Send(relay.Requester.Endpoint, new Nack(Self, relay.RequesterSeqNo) { Updates = Piggyback(_sizes.NackBaseSize(Self), null) });
        }
    }

    /// <summary>
    /// memberlist's independent suspicion: a suspicion becomes a death when its timeout runs out, however few
    /// confirmed it; confirmations only shorten the timeout (<see cref="Suspicion.Compute"/>). So any set of
    /// crashed members is evicted by whoever survives. What keeps a cut-off minority from evicting the majority
    /// is the reach contest that every death verdict must win where it lands (SwimInstance.Side.cs).
    /// </summary>
    private void SuspicionTick(TimeSpan now)
    {
        if (_suspects.Count == 0) return;
        for (var i = _suspects.Count - 1; i >= 0 && i < _suspects.Count; i--)
        {
            var member = _suspects[i];
            var s = member.Suspicion!;
            if (now - s.Start < s.TimeoutGiven(PossibleConfirmers(member, s, now))) continue;
            SetState(member, member.Incarnation, MemberStatus.Dead, now, Self);
            ForgetHeardBefore(s.Start);
        }
    }

    /// <summary>
    /// Members that could confirm this suspicion: those that confirmed it, and the others on our side now (Alive
    /// and heard from within the reach window, <see cref="IsFresh"/>). On the cut-off side of a partition that is
    /// only our own side, down to nobody for a lone member once the window has passed; its suspicions then end at
    /// the floor instead of waiting out the ceiling for confirmations that nobody can send, so it takes over the far
    /// side's origins sooner, and its verdicts still lose the reach contest wherever the far side hears them.
    /// </summary>
    private int PossibleConfirmers(MemberState suspect, Suspicion s, TimeSpan now)
    {
        var window = _settings.ReachWindowFor(_liveCount);
        var count = 0;
        foreach (var m in _members.Values)
        {
            if (m == suspect || m.Status.IsFinal()) continue;
            if (s.Contains(m.Node) ? m != _self : IsFresh(m, now, window)) count++;
        }
        return count;
    }
}
