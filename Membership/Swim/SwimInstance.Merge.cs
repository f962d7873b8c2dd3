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

        var endpoint = node.Endpoint;
        var status = update.Status;
        if (latest.TryGetValue(endpoint, out var newest))
        {
            if (node.Generation > newest.Generation)
            {
                if (newest == Self)
                {
                    // A newer process owns our endpoint: this generation is over.
                    DeclareSelfDead();
                    return;
                }
                latest[endpoint] = node;
                if (members.TryGetValue(newest, out var older) && !older.Status.IsFinal())
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
            latest[endpoint] = node;
        }

        var confirmer = status == MemberStatus.Suspect ? update.Confirmer ?? sender : update.Confirmer;
        if (!members.TryGetValue(node, out var member))
        {
            member = new MemberState(node, update.Incarnation, MemberStatus.Alive, update.Metadata ?? Metadata.Empty,
                update.Metadata is not null, update.Incarnation);
            members[node] = member;
            liveCount++;
            version += 1 + member.Weight;
            view = null;
            output.Changed(new(node, null, MemberStatus.Alive, member.Metadata));
            scheduler.Add(node);
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
            if (c != Self) scheduler.Prioritize(node);
        }
        else if (metadataChanged)
        {
            output.Changed(new(node, member.Status, member.Status, member.Metadata));
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
        version += member.Weight - before;
        view = null;
        return changed;
    }

    /// <summary>Moves a member to a larger state (the caller checked the order) and tells everyone.</summary>
    private void SetState(MemberState member, uint incarnation, MemberStatus status, TimeSpan now, NodeId? confirmer)
    {
        var old = member.Status;
        var before = member.Weight;
        member.Incarnation = incarnation;
        member.Status = status;
        version += member.Weight - before;
        view = null;
        if (!old.IsFinal() && status.IsFinal()) liveCount--;

        if (status == MemberStatus.Suspect)
        {
            var by = confirmer ?? Self;
            var n = liveCount;
            var min = settings.SuspicionMinTimeout(n);
            // memberlist: expect SuspicionMult - 2 confirmations, none in a cluster too small to give them.
            var k = settings.SuspicionMult - 2;
            if (n - 2 < k) k = 0;
            member.Suspicion = new Suspicion(incarnation, by, now, min, min * settings.SuspicionMaxTimeoutMult, k);
            if (old != MemberStatus.Suspect) suspects.Add(member);
            if (by != Self) scheduler.Prioritize(member.Node);
            Enqueue(new MemberUpdate(member.Node, incarnation, status, by));
        }
        else
        {
            member.Suspicion = null;
            if (old == MemberStatus.Suspect) suspects.Remove(member);
            Enqueue(status == MemberStatus.Alive ? AliveUpdate(member) : new MemberUpdate(member.Node, incarnation, status, confirmer));
        }
        if (old != status) output.Changed(new(member.Node, old, status, member.Metadata));
    }

    private void ApplyAboutSelf(MemberUpdate update, TimeSpan now)
    {
        _ = now;
        if (self.Status.IsFinal())
        {
            return; // we left; nothing said about us matters any more
        }
        switch (update.Status)
        {
            case MemberStatus.Alive when update.Incarnation > self.Incarnation:
            case MemberStatus.Suspect when update.Incarnation >= self.Incarnation:
                // Refute: outbid the rumour with a higher incarnation. Needing to do so hints that we are the slow one.
                if (update.Status == MemberStatus.Suspect) awareness.Apply(1);
                var before = self.Weight;
                self.Incarnation = update.Incarnation + 1;
                self.MetadataIncarnation = self.Incarnation;
                version += self.Weight - before;
                view = null;
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
                DeclareSelfDead();
                break;
        }
    }

    private void DeclareSelfDead()
    {
        if (IsDeclaredDead) return;
        IsDeclaredDead = true;
        var before = self.Weight;
        var old = self.Status;
        self.Status = MemberStatus.Dead;
        version += self.Weight - before;
        liveCount--;
        view = null;
        output.Changed(new(Self, old, MemberStatus.Dead, self.Metadata));
        output.DeclaredDead();
    }

    /// <summary>A member we hold dead is still talking: tell it, so it stops (and restarts as a new generation).</summary>
    private void TellIfDead(NodeId sender)
    {
        MemberUpdate? verdict = null;
        if (members.TryGetValue(sender, out var m))
        {
            if (m.Status == MemberStatus.Dead) verdict = new MemberUpdate(sender, m.Incarnation, MemberStatus.Dead, Self);
        }
        else if (latest.TryGetValue(sender.Endpoint, out var newest) && newest.Generation > sender.Generation)
        {
            verdict = new MemberUpdate(sender, 0, MemberStatus.Dead, Self);
        }
        if (verdict is not null) output.Send(sender.Endpoint, new Gossip(Self) { Updates = [verdict] });
    }

    private MemberUpdate SelfUpdate() => self.Status == MemberStatus.Alive
        ? AliveUpdate(self)
        : new MemberUpdate(Self, self.Incarnation, self.Status);

    private static MemberUpdate AliveUpdate(MemberState m) =>
        new(m.Node, m.Incarnation, MemberStatus.Alive, null, m.HasMetadata && m.MetadataIncarnation == m.Incarnation ? m.Metadata : null);

    private void Enqueue(MemberUpdate update) => broadcasts.Enqueue(update, sizes.UpdateSize(update));
}
