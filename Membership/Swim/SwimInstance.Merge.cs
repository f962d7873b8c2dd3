namespace Heck.Membership.Swim;

// Merging updates into the view: a join per member over (final?, incarnation, status rank),
// newer generations of an endpoint killing older ones, refutation, and "you are dead".
public sealed partial class SwimInstance
{
    private void Apply(MemberUpdate update, NodeId sender, TimeSpan now)
    {
        var node = update.Node;
        if (node.Port is < 1 or > 65535 || string.IsNullOrEmpty(node.Host)) return;
        if (node == Self)
        {
            ApplyAboutSelf(update, now);
            return;
        }
        if (IsExpired(node)) return; // final and gone: an old state of a peer must not bring it back

        var endpoint = node.Endpoint;
        var status = update.Status;
        if (_latest.TryGetValue(endpoint, out var newest))
        {
            if (node.Generation > newest.Generation)
            {
                if (newest == Self)
                {
                    // A newer process owns our endpoint: this generation is over.
                    DeclareSelfDead(sender);
                    return;
                }
                _latest[endpoint] = node;
                if (_members.TryGetValue(newest, out var older) && !older.Status.IsFinal())
                    SetState(older, older.Incarnation, MemberStatus.Dead, now, null);
            }
            else if (node.Generation < newest.Generation)
            {
                // Superseded: join with Dead at its incarnation (Left stays Left), kept as a tombstone so views
                // still merge to the same set whatever the order news arrives in.
                if (status != MemberStatus.Left) status = MemberStatus.Dead;
            }
        }
        else
        {
            _latest[endpoint] = node;
        }

        var confirmer = status == MemberStatus.Suspect ? update.Confirmer ?? sender : update.Confirmer;
        if (!_members.TryGetValue(node, out var member))
        {
            member = new MemberState(node, update.Incarnation, MemberStatus.Alive, update.Metadata ?? Metadata.Empty,
                update.Metadata is not null, update.Incarnation);
            _members[node] = member;
            _liveCount++;
            _version += 1 + member.Weight;
            _view = null;
            _output.Changed(new(node, null, MemberStatus.Alive, member.Metadata));
            _scheduler.Add(node);
            if (status == MemberStatus.Alive) Enqueue(AliveUpdate(member));
            else SetState(member, update.Incarnation, status, now, confirmer);
            return;
        }

        var metadataChanged = MergeMetadata(member, update);
        var (incarnation, joined) = MemberOrder.Join(member.Incarnation, member.Status, update.Incarnation, status);
        if (incarnation != member.Incarnation || joined != member.Status)
        {
            SetState(member, incarnation, joined, now, confirmer);
        }
        else if (status == MemberStatus.Suspect && joined == MemberStatus.Suspect && update.Incarnation == incarnation
            && confirmer is { } c && member.Suspicion!.Confirm(c))
        {
            // Another independent suspecter: pass it on so others can count it too.
            Enqueue(new MemberUpdate(node, member.Incarnation, MemberStatus.Suspect, c));
            if (c != Self) _scheduler.Prioritize(node);
        }
        else if (metadataChanged)
        {
            _output.Changed(new(node, member.Status, member.Status, member.Metadata));
        }
    }

    private bool MergeMetadata(MemberState member, MemberUpdate update)
    {
        if (update.Metadata is not { } metadata) return false;
        if (member.HasMetadata && update.Incarnation <= member.MetadataIncarnation) return false;
        var before = member.Weight;
        var changed = !member.HasMetadata || !member.Metadata.Equals(metadata);
        member.Metadata = metadata;
        member.HasMetadata = true;
        member.MetadataIncarnation = update.Incarnation;
        _version += member.Weight - before;
        _view = null;
        return changed;
    }

    /// <summary>Moves a member to a larger state (the caller checked the order) and tells everyone.</summary>
    private void SetState(MemberState member, uint incarnation, MemberStatus status, TimeSpan now, NodeId? confirmer)
    {
        var old = member.Status;
        var before = member.Weight;
        member.Incarnation = incarnation;
        member.Status = status;
        _version += member.Weight - before;
        _view = null;
        if (!old.IsFinal() && status.IsFinal())
        {
            _liveCount--;
            member.FinalAt = now;
        }

        if (status == MemberStatus.Suspect)
        {
            var by = confirmer ?? Self;
            var n = _liveCount;
            var min = _settings.SuspicionMinTimeout(n);
            // memberlist: expect SuspicionMult - 2 confirmations, none in a cluster too small to give them.
            var k = _settings.SuspicionMult - 2;
            if (n - 2 < k) k = 0;
            member.Suspicion = new Suspicion(incarnation, by, now, min, min * _settings.SuspicionMaxTimeoutMult, k);
            if (old != MemberStatus.Suspect) _suspects.Add(member);
            if (by != Self) _scheduler.Prioritize(member.Node);
            Enqueue(new MemberUpdate(member.Node, incarnation, status, by));
        }
        else
        {
            member.Suspicion = null;
            if (old == MemberStatus.Suspect) _suspects.Remove(member);
            Enqueue(status == MemberStatus.Alive ? AliveUpdate(member) : new MemberUpdate(member.Node, incarnation, status, confirmer));
        }
        if (old != status) _output.Changed(new(member.Node, old, status, member.Metadata));
    }

    private void ApplyAboutSelf(MemberUpdate update, TimeSpan now)
    {
        _ = now;
        if (_self.Status.IsFinal())
        {
            return; // we left; nothing said about us matters any more
        }
        switch (update.Status)
        {
            case MemberStatus.Alive when update.Incarnation > _self.Incarnation:
            case MemberStatus.Suspect when update.Incarnation >= _self.Incarnation:
                // Refute: outbid the rumour with a higher incarnation. Needing to do so hints that we are the slow one.
                if (update.Status == MemberStatus.Suspect) _awareness.Apply(1);
                var before = _self.Weight;
                _self.Incarnation = update.Incarnation + 1;
                _self.MetadataIncarnation = _self.Incarnation;
                _version += _self.Weight - before;
                _view = null;
                Enqueue(SelfUpdate());
                break;
            case MemberStatus.Suspect:
                // A suspicion of an incarnation we already outbid: its holder missed our refutation, which has
                // likely used up its retransmissions, and nothing but push-pull would tell it any more. Send our
                // current state again (no new incarnation needed); the reply to a buddy ping carries it first.
                Enqueue(SelfUpdate());
                break;
            case MemberStatus.Dead:
            case MemberStatus.Left:
                DeclareSelfDead(null); // OnMessage judged it already (the reach contest)
                break;
        }
    }

    private void DeclareSelfDead(NodeId? by)
    {
        if (IsDeclaredDead) return;
        RejoinHints = RejoinThrough(by);
        IsDeclaredDead = true;
        var before = _self.Weight;
        var old = _self.Status;
        _self.Status = MemberStatus.Dead;
        _version += _self.Weight - before;
        _liveCount--;
        _view = null;
        _output.Changed(new(Self, old, MemberStatus.Dead, _self.Metadata));
        _output.DeclaredDead(RejoinHints);
    }

    /// <summary>A member we hold dead is still talking: tell it, so it stops (and restarts as a new generation).</summary>
    private void TellIfDead(NodeId sender)
    {
        MemberUpdate? verdict = null;
        if (_members.TryGetValue(sender, out var m))
        {
            if (m.Status == MemberStatus.Dead) verdict = new MemberUpdate(sender, m.Incarnation, MemberStatus.Dead, Self);
        }
        else if (IsExpired(sender) || (_latest.TryGetValue(sender.Endpoint, out var newest) && newest.Generation > sender.Generation))
        {
            verdict = new MemberUpdate(sender, 0, MemberStatus.Dead, Self);
        }
        if (verdict is not null) _output.Send(sender.Endpoint, new Gossip(Self) { Updates = [verdict] });
    }

    private MemberUpdate SelfUpdate() => _self.Status == MemberStatus.Alive
        ? AliveUpdate(_self)
        : new MemberUpdate(Self, _self.Incarnation, _self.Status);

    private static MemberUpdate AliveUpdate(MemberState m) =>
        new(m.Node, m.Incarnation, MemberStatus.Alive, null, m.HasMetadata && m.MetadataIncarnation == m.Incarnation ? m.Metadata : null);

    private void Enqueue(MemberUpdate update) => _broadcasts.Enqueue(update, _sizes.UpdateSize(update));
}
