namespace Heck.Membership.Swim;

// Spreading the view: piggybacked updates, periodic gossip, push-pull, join and leave.
public sealed partial class SwimInstance
{
    // A datagram never carries more updates than this, whatever the budget (keeps decode work bounded).
    private const int MaxPiggybacked = 64;

    private TimeSpan _nextGossipAt;
    private TimeSpan _nextPushPullAt;

    /// <summary>Starts joining through <paramref name="seedEndpoints"/>; none (or only ourselves) starts a new cluster.</summary>
    public Directives Join(IEnumerable<(string Host, int Port)> seedEndpoints)
    {
        ArgumentNullException.ThrowIfNull(seedEndpoints);
        if (IsDeclaredDead || HasLeft) return Directives.None;
        var list = new List<SwimEndpoint>();
        foreach (var (host, port) in seedEndpoints)
        {
            if (NodeId.Check(host, port) is { } error) throw new ArgumentException($"Seed {host}:{port}: {error}.", nameof(seedEndpoints));
            var endpoint = new SwimEndpoint(host, port);
            if (!Self.SameEndpoint(endpoint) && !list.Contains(endpoint)) list.Add(endpoint);
        }
        _seeds = [.. list];
        if (_seeds.Length == 0)
        {
            MarkJoined();
        }
        else
        {
            SendJoin(Now());
        }
        return Finish(Now());
    }

    /// <summary>Leaves gracefully: Left at a higher incarnation, told to every live member at once and then gossiped.</summary>
    public Directives Leave()
    {
        if (IsDeclaredDead || HasLeft) return Directives.None;
        var before = _self.Weight;
        _self.Incarnation++;
        _self.Status = MemberStatus.Left;
        _liveCount--;
        _version += _self.Weight - before;
        _view = null;
        _probe.Active = false;
        var update = SelfUpdate();
        Enqueue(update);
        _output.Changed(new(Self, MemberStatus.Alive, MemberStatus.Left, _self.Metadata));
        foreach (var m in _members.Values)
        {
            if (m != _self && !m.Status.IsFinal()) _output.Send(m.Node.Endpoint, new Gossip(Self) { Updates = [update] });
        }
        return Finish(Now());
    }

    /// <summary>Publishes new metadata (with a higher incarnation, so it wins everywhere).</summary>
    public Directives UpdateMetadata(Metadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (IsDeclaredDead || HasLeft) return Directives.None;
        var before = _self.Weight;
        _self.Incarnation++;
        _self.Metadata = metadata;
        _self.MetadataIncarnation = _self.Incarnation;
        _version += _self.Weight - before;
        _view = null;
        Enqueue(SelfUpdate());
        _output.Changed(new(Self, _self.Status, _self.Status, metadata));
        return Finish(Now());
    }

    /// <summary>Queued updates, fewest-sent first, within what is left of a datagram after the message itself.</summary>
    private IReadOnlyList<MemberUpdate> Piggyback(int baseSize, MemberUpdate? first)
    {
        if (_broadcasts.Count == 0 && first is null) return [];
        _gossipBuffer.Clear();
        var budget = _settings.MaxDatagramBytes - _sizes.EnvelopeOverhead - baseSize;
        if (first is not null)
        {
            _gossipBuffer.Add(first);
            budget -= _sizes.UpdateSize(first);
        }
        _broadcasts.Take(_gossipBuffer, budget, _settings.RetransmitLimit(_liveCount), MaxPiggybacked - _gossipBuffer.Count);
        return _gossipBuffer.Count == 0 ? [] : _gossipBuffer.ToArray();
    }

    private void GossipTick(TimeSpan now)
    {
        if (now < _nextGossipAt) return;
        _nextGossipAt = now + _settings.GossipInterval;
        if (_broadcasts.Count == 0 || _settings.GossipNodes == 0) return;
        var baseSize = _sizes.GossipBaseSize(Self);
        // Suspects included: they are the ones who most need to hear about themselves.
        foreach (var target in PickRandom(_settings.GossipNodes, null, aliveOnly: false))
        {
            var updates = Piggyback(baseSize, null);
            if (updates.Count == 0) break;
            _output.Send(target.Node.Endpoint, new Gossip(Self) { Updates = updates });
        }
    }

    private void PushPullTick(TimeSpan now)
    {
        if (_settings.PushPullInterval == TimeSpan.Zero || now < _nextPushPullAt) return;
        _nextPushPullAt = now + _settings.PushPullInterval;
        var partner = PickRandom(1, null, aliveOnly: true);
        if (partner.Count == 1) _output.Send(partner[0].Node.Endpoint, new PushPull(Self, Join: false, Reply: false) { Updates = FullState() }, reliable: true);
    }

    private void SendJoin(TimeSpan now)
    {
        _nextJoinAttempt = now + _settings.JoinRetryInterval;
        var state = FullState();
        foreach (var seed in _seeds) _output.Send(seed, new PushPull(Self, Join: true, Reply: false) { Updates = state }, reliable: true);
    }

    private void OnPushPull(NodeId sender, PushPull message)
    {
        // The updates were merged already; answer a request with our own state.
        if (!message.Reply) _output.Send(sender.Endpoint, new PushPull(Self, Join: false, Reply: true) { Updates = FullState() }, reliable: true);
        // Only a real join completes one: a member answered our join, or joined through us. A state-less request
        // (a client asking for the view, SwimViewRequest) must not: a silo restarted while its seeds are unreachable
        // would form a cluster of its own, own every origin, and never merge back.
        if (!IsJoined && (message.Reply || message.Join)) MarkJoined();
    }

    private void MarkJoined()
    {
        IsJoined = true;
        _output.Joined();
    }

    /// <summary>
    /// The whole view as updates: one per member, one per further confirmer of a suspicion, and, where the
    /// metadata is older than the state, an Alive at the metadata's incarnation so it merges exactly.
    /// </summary>
    private MemberUpdate[] FullState()
    {
        var state = new List<MemberUpdate>(_members.Count + _suspects.Count);
        foreach (var m in _members.Values)
        {
            var current = m.HasMetadata && m.MetadataIncarnation == m.Incarnation;
            var metadata = current ? m.Metadata : null;
            if (m.HasMetadata && !current) state.Add(new MemberUpdate(m.Node, m.MetadataIncarnation, MemberStatus.Alive, null, m.Metadata));
            if (m.Suspicion is { } suspicion)
            {
                foreach (var c in suspicion.Confirmers) state.Add(new MemberUpdate(m.Node, m.Incarnation, m.Status, c, metadata));
            }
            else
            {
                state.Add(new MemberUpdate(m.Node, m.Incarnation, m.Status, null, metadata));
            }
        }
        return [.. state];
    }
}
