namespace Heck.Tests.Replication;

public sealed class ReplicaStateTests
{
    private static HealthView View(HealthStatus status, DateTimeOffset at, string owner) =>
        new() { Status = status, Since = at, LastProbeAt = at, Owner = owner };

    [Fact]
    public void A_re_added_origin_gets_the_next_generation_and_old_writes_stay_out()
    {
        var h = new History(2);
        h.Upsert(0, 0, 0);
        var firstAdd = h.Written[^1].Delta;
        h.Upsert(0, 0, 1);
        var edit = h.Written[^1].Delta;
        Assert.Equal(firstAdd.Specs[0].Generation, edit.Specs[0].Generation);
        h.Remove(0, 0);
        h.Upsert(0, 0, 2);
        var entry = h.States[0].Registry.Get("o0")!;
        Assert.True(entry.Generation > firstAdd.Specs[0].Generation);
        Assert.Equal(History.Spec("o0", 2), entry.Spec);

        // Replica 1 hears the re-add first, the old writes late.
        h.Deliver(h.Written.Count - 1, 1);
        h.Set(1, h.States[1].Apply(edit).Apply(firstAdd).Apply(h.Written[2].Delta));
        Assert.Equal(History.Spec("o0", 2), h.States[1].Spec("o0"));
        Assert.Equal(h.States[0].Registry, h.States[1].Registry);
    }

    [Fact]
    public void Concurrent_edits_resolve_alike_on_every_replica()
    {
        var h = new History(3);
        h.Upsert(0, 0, 0);
        h.Quiesce();
        h.Upsert(1, 0, 1);
        h.Upsert(2, 0, 2); // same wall time, replica 2's clock is ahead: it wins
        h.Quiesce();
        Assert.All(h.States, s => Assert.Equal(History.Spec("o0", 2), s.Spec("o0")));
    }

    [Fact]
    public void A_remove_takes_the_generation_it_saw_even_against_a_concurrent_edit()
    {
        var h = new History(2);
        h.Upsert(0, 0, 0);
        h.Quiesce();
        h.Upsert(0, 0, 1);
        h.Remove(1, 0);
        h.Quiesce();
        Assert.All(h.States, s => Assert.Null(s.Spec("o0")));
        h.Upsert(0, 0, 2); // a re-add after seeing the remove wins
        h.Quiesce();
        Assert.All(h.States, s => Assert.Equal(History.Spec("o0", 2), s.Spec("o0")));
    }

    [Fact]
    public void An_unchanged_spec_and_a_remove_of_nothing_write_nothing()
    {
        var h = new History(1);
        h.Upsert(0, 0, 0);
        var state = h.States[0];
        Assert.True(state.UpsertSpec(History.Spec("o0", 0), h.Ids[0], h.Clocks[0]).Delta.IsEmpty);
        Assert.True(state.RemoveSpec("nope", h.Ids[0], h.Clocks[0]).Delta.IsEmpty);
        var (same, delta) = state.RecordHealth("nope", HealthView.Initial(DateTimeOffset.UnixEpoch, null), null,
            h.Ids[0], h.Clocks[0]);
        Assert.True(delta.IsEmpty);
        Assert.Same(state, same);
    }

    [Fact]
    public void The_verdict_a_new_owner_continues_from_is_another_owners_not_unknown_and_of_this_generation()
    {
        var h = new History(4);
        h.Upsert(0, 0, 0);
        h.Quiesce();
        h.Probe(1, 0, 1);     // an owner's verdict: healthy
        h.Probe(0, 0, 0);     // the asking replica's own record: unknown
        h.Probe(2, 0, 0);     // another owner without a verdict
        h.Quiesce();
        var state = h.States[0];
        var verdict = state.VerdictOfOtherOwners("o0", h.Ids[0]);
        Assert.Equal(h.Ids[1], verdict!.Slot);
        Assert.Equal(HealthStatus.Healthy, verdict.Health.Status);
        Assert.Null(state.VerdictOfOtherOwners("o0", h.Ids[1])); // its own verdict does not count

        // Removed and added again: the old generation's verdict is about another origin.
        h.Remove(0, 0);
        h.Upsert(0, 0, 1);
        h.Quiesce();
        Assert.Null(h.States[0].VerdictOfOtherOwners("o0", h.Ids[0]));
    }

    [Fact]
    public void Transitions_stay_in_causal_order_across_an_ownership_handoff()
    {
        var h = new History(2);
        var (oldOwner, newOwner) = (h.Ids[1], h.Ids[0]);
        h.Times[1].Advance(10_000); // the old owner's clock runs 10 s ahead of the new owner's
        h.Upsert(1, 0, 0);
        var t1 = new HealthTransition(h.Times[1].GetUtcNow(), HealthStatus.Unknown, HealthStatus.Healthy, "up");
        h.Set(1, h.States[1].RecordHealth("o0", View(HealthStatus.Healthy, t1.At, oldOwner.Address), t1,
            oldOwner, h.Clocks[1]).State);
        h.Sync(1, 0, 0);

        var t2 = new HealthTransition(h.Times[0].GetUtcNow(), HealthStatus.Healthy, HealthStatus.Unhealthy, "down");
        var (state, delta) = h.States[0].RecordHealth("o0", View(HealthStatus.Unhealthy, t2.At, newOwner.Address), t2,
            newOwner, h.Clocks[0]);
        h.Set(0, state);
        h.Set(1, h.States[1].Apply(delta));

        Assert.All(h.States, s => Assert.Equal(["up", "down"], s.Transitions("o0").Select(t => t.Transition.Reason)));
        Assert.All(h.States, s => Assert.Equal(newOwner, s.DerivedHealth("o0")!.Slot));
        Assert.Equal(HealthStatus.Unhealthy, h.States[1].DerivedHealth("o0")!.Health.Status);
    }

    [Fact]
    public void Derived_health_is_the_freshest_owners_record()
    {
        var h = new History(2);
        h.Upsert(0, 0, 0);
        h.Quiesce();
        h.Probe(0, 0, 1);        // the old owner: healthy
        h.Quiesce();
        h.Probe(1, 0, 3);        // the new owner, later: unhealthy
        h.Quiesce();
        var derived = h.States[0].DerivedHealth("o0")!;
        Assert.Equal(h.Ids[1], derived.Slot);
        Assert.Equal(HealthStatus.Unhealthy, derived.Health.Status);
        Assert.Equal(2, h.States[1].Health.Slots("o0").Count);
    }

    [Fact]
    public void Health_of_an_earlier_generation_is_never_shown()
    {
        var h = new History(1);
        h.Upsert(0, 0, 0);
        h.Probe(0, 0, 4 | 3);
        h.Remove(0, 0);
        h.Upsert(0, 0, 1);
        Assert.Null(h.States[0].DerivedHealth("o0"));
        Assert.Empty(h.States[0].Transitions("o0"));
        h.Probe(0, 0, 1);
        var record = h.States[0].DerivedHealth("o0")!;
        Assert.Equal(h.States[0].Registry.Get("o0")!.Generation, record.Generation);
        Assert.Equal(2, record.Sequence);
        Assert.Empty(record.Transitions);
    }

    [Fact]
    public void A_slot_keeps_only_its_latest_transitions()
    {
        var h = new History(1);
        h.Upsert(0, 0, 0);
        for (var i = 0; i < SlotRecord.MaxTransitions + 5; i++) h.Probe(0, 0, 4 | 1);
        var transitions = h.States[0].Transitions("o0");
        Assert.Equal(SlotRecord.MaxTransitions, transitions.Count);
        Assert.Equal($"probe {SlotRecord.MaxTransitions + 5}", transitions[^1].Transition.Reason);
        Assert.Equal(transitions.Order(), transitions);
    }

    [Fact]
    public void A_peer_that_has_everything_gets_an_empty_delta_and_a_newcomer_gets_everything()
    {
        var h = new History(2);
        h.Upsert(0, 0, 0);
        h.Upsert(0, 1, 0);
        h.Probe(0, 0, 1);
        h.Quiesce();
        Assert.True(h.States[0].DeltaSince(h.States[1].Version).IsEmpty);
        var full = h.States[0].DeltaSince(VersionVector.Empty);
        Assert.Equal(3, full.RecordCount);
        Assert.Equal(h.States[0], ReplicaState.Empty.Apply(full));
        Assert.True(full.EstimatedBytes > 0 && h.States[0].EstimatedBytes > 0);
    }

    [Fact]
    public void A_delta_cut_for_another_peer_only_counts_its_own_records_as_seen()
    {
        var h = new History(3);
        h.Upsert(0, 0, 0);
        h.Upsert(0, 1, 0);
        h.Sync(0, 1, 0);
        h.Upsert(0, 2, 0);
        var forPeer1 = h.States[0].DeltaSince(h.States[1].Version); // only o2
        var wrong = ReplicaState.Empty.Apply(forPeer1);             // replica 2 has not seen o0, o1
        Assert.Equal(1, wrong.Registry.Count);
        Assert.False(wrong.Version.Contains(h.Written[0].Delta.Specs[0].Dot));
        Assert.Equal(h.States[0], wrong.Apply(h.States[0].DeltaSince(wrong.Version)));
    }
}
