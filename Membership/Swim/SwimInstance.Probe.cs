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

    private readonly Dictionary<uint, Relay> relays = [];
    private readonly List<uint> expiredRelays = [];
    private Probe probe;
    private uint nextSeqNo;
    private TimeSpan nextProbeAt;

    private void ProbeTick(TimeSpan now, bool stalled)
    {
        if (probe.Active)
        {
            if (stalled)
            {
                probe.Active = false;
                awareness.Apply(1);
                nextProbeAt = now;
            }
            else if (now >= probe.PeriodEnd)
            {
                ProbeFailed(now);
            }
            else if (!probe.IndirectSent && now >= probe.DirectDeadline)
            {
                SendIndirect();
            }
        }
        if (!probe.Active && now >= nextProbeAt) StartProbe(now);
    }

    private void StartProbe(TimeSpan now)
    {
        var interval = awareness.Scale(settings.ProbeInterval);
        if (scheduler.Next(probeEligible, stillUnconfirmedByMe) is not { } target)
        {
            nextProbeAt = now + interval;
            return;
        }
        var seq = ++nextSeqNo;
        probe = new Probe
        {
            Active = true,
            Target = target,
            SeqNo = seq,
            DirectDeadline = now + awareness.Scale(settings.ProbeTimeout),
            PeriodEnd = now + interval,
        };
        var updates = Piggyback(sizes.PingBaseSize(Self, target), Buddy(target));
        output.Send(target.Endpoint, new Ping(Self, seq, target) { Updates = updates });
    }

    /// <summary>
    /// Buddy system: any ping to a member we hold suspect (our own probe or one relayed for another) carries the
    /// suspicion, so a live suspect refutes at once — or, when it already outbid it, tells us so in its ack.
    /// </summary>
    private MemberUpdate? Buddy(NodeId target) =>
        members.TryGetValue(target, out var member) && member.Suspicion is { } s
            ? new MemberUpdate(target, member.Incarnation, MemberStatus.Suspect, s.Contains(Self) ? Self : s.Confirmers.First())
            : null;

    private void SendIndirect()
    {
        probe.IndirectSent = true;
        var helpers = PickRandom(settings.IndirectChecks, probe.Target, aliveOnly: true);
        probe.ExpectedNacks = helpers.Count;
        var baseSize = sizes.PingReqBaseSize(Self, probe.Target);
        foreach (var helper in helpers)
            output.Send(helper.Node.Endpoint, new PingReq(Self, probe.SeqNo, probe.Target, WantNack: true) { Updates = Piggyback(baseSize, null) });
    }

    private void ProbeFailed(TimeSpan now)
    {
        probe.Active = false;
        nextProbeAt = now;
        // Lifeguard: helpers that did not even nack suggest our own network is the problem.
        awareness.Apply(probe.ExpectedNacks > 0 ? probe.ExpectedNacks - probe.Nacks : 1);
        if (!members.TryGetValue(probe.Target, out var target) || target.Status.IsFinal()) return;
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
        if (probe.Active && ack.SeqNo == probe.SeqNo)
        {
            probe.Active = false;
            nextProbeAt = probe.PeriodEnd; // one probe per period, however fast the answer
            awareness.Apply(-1);
        }
        else if (relays.Remove(ack.SeqNo, out var relay))
        {
            output.Send(relay.Requester.Endpoint, new Ack(Self, relay.RequesterSeqNo) { Updates = Piggyback(sizes.AckBaseSize(Self), null) });
        }
    }

    private void OnNack(Nack nack)
    {
        if (probe.Active && nack.SeqNo == probe.SeqNo) probe.Nacks++;
    }

    private void OnPing(NodeId sender, Ping ping)
    {
        if (ping.Target != Self) return; // meant for another generation of this endpoint: let it fail
        output.Send(sender.Endpoint, new Ack(Self, ping.SeqNo) { Updates = Piggyback(sizes.AckBaseSize(Self), null) });
    }

    private void OnPingReq(NodeId sender, PingReq req, TimeSpan now)
    {
        if (req.Target == Self)
        {
            OnPing(sender, new Ping(req.From, req.SeqNo, Self));
            return;
        }
        if (relays.Count >= settings.MaxPendingRelays) return;
        var seq = ++nextSeqNo;
        relays[seq] = new Relay(sender, req.SeqNo, now + settings.ProbeTimeout, req.WantNack);
        var updates = Piggyback(sizes.PingBaseSize(Self, req.Target), Buddy(req.Target));
        output.Send(req.Target.Endpoint, new Ping(Self, seq, req.Target) { Updates = updates });
    }

    private void RelayTick(TimeSpan now)
    {
        if (relays.Count == 0) return;
        expiredRelays.Clear();
        foreach (var (seq, relay) in relays)
        {
            if (now >= relay.Deadline) expiredRelays.Add(seq);
        }
        foreach (var seq in expiredRelays)
        {
            relays.Remove(seq, out var relay);
            if (!relay.WantNack) continue;
            output.Send(relay.Requester.Endpoint, new Nack(Self, relay.RequesterSeqNo) { Updates = Piggyback(sizes.NackBaseSize(Self), null) });
        }
    }

    /// <summary>A suspicion becomes a death once its timeout ran out and a majority (or the configured minimum) confirmed it.</summary>
    private void SuspicionTick(TimeSpan now)
    {
        if (suspects.Count == 0) return;
        var required = RequiredConfirmations();
        for (var i = suspects.Count - 1; i >= 0 && i < suspects.Count; i--)
        {
            var member = suspects[i];
            var s = member.Suspicion!;
            if (now - s.Start >= s.Timeout && s.Count >= required)
                SetState(member, member.Incarnation, MemberStatus.Dead, now, Self);
        }
    }
}
