namespace Heck.Tests.Replication;

/// <summary>Laws of the whole replica state and its deltas, over states reached in a replayed history.</summary>
public sealed class ReplicaStateProperties
{
    private const int Tests = 200;
    private const int Size = 400;

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Merge_is_commutative(byte[] script, byte i, byte j)
    {
        var h = History.Run(script);
        Assert.Equal(h.Snapshot(i).Merge(h.Snapshot(j)), h.Snapshot(j).Merge(h.Snapshot(i)));
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Merge_is_associative(byte[] script, byte i, byte j, byte k)
    {
        var h = History.Run(script);
        var (a, b, c) = (h.Snapshot(i), h.Snapshot(j), h.Snapshot(k));
        Assert.Equal(a.Merge(b).Merge(c), a.Merge(b.Merge(c)));
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Merge_is_idempotent(byte[] script, byte i, byte j)
    {
        var h = History.Run(script);
        var (a, b) = (h.Snapshot(i), h.Snapshot(j));
        Assert.Equal(a, a.Merge(a));
        Assert.Equal(a.Merge(b), a.Merge(b).Merge(b));
        Assert.Equal(a, a.Apply(a.DeltaSince(VersionVector.Empty)));
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Applying_the_delta_a_peer_lacks_equals_merging_full_state(byte[] script, byte i, byte j)
    {
        var h = History.Run(script);
        var (a, b) = (h.Snapshot(i), h.Snapshot(j));
        Assert.Equal(a.Merge(b), a.Apply(b.DeltaSince(a.Version)));
        Assert.Equal(a.Merge(b), a.Apply(b.DeltaSince(VersionVector.Empty)));
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void A_delta_holds_exactly_the_records_the_peer_lacks(byte[] script, byte i, byte j, bool pruning)
    {
        var h = History.Run(script, pruning: pruning);
        var (a, b) = (h.Snapshot(i), h.Snapshot(j));
        var delta = b.DeltaSince(a.Version);
        // Found through the dot index; checked here against a scan of everything.
        Assert.Equal(b.Registry.Entries.Where(e => !a.Version.Contains(e.Dot)).ToHashSet(), delta.Specs.ToHashSet());
        Assert.Equal(b.Health.Records.Where(r => !a.Version.Contains(r.Dot)).ToHashSet(), delta.Slots.ToHashSet());
        Assert.Equal(delta.Specs.Length, delta.Specs.Distinct().Count());
        Assert.Equal(delta.Slots.Length, delta.Slots.Distinct().Count());
        if (a.Version.Includes(b.Version)) Assert.True(delta.IsEmpty);
        Assert.True(delta.RecordCount <= b.RecordCount);
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Every_record_dot_is_in_the_version_and_a_write_is_a_delta(byte[] script)
    {
        var h = History.Run(script);
        foreach (var s in h.Snapshots)
        {
            Assert.All(s.Registry.Entries, e => Assert.True(s.Version.Contains(e.Dot)));
            Assert.All(s.Health.Records, r => Assert.True(s.Version.Contains(r.Dot)));
        }
        Assert.All(h.Written, w => Assert.Equal(1, w.Delta.RecordCount));
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Writes_delivered_in_any_order_with_duplicates_give_the_join(byte[] script, int seed)
    {
        var h = History.Run(script);
        var join = h.Join();
        var random = new Random(seed);
        var deltas = h.Written.Select(w => w.Delta).ToList();
        var shuffled = deltas.Concat(deltas.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next()).ToList();
        Assert.Equal(join, shuffled.Aggregate(ReplicaState.Empty, (s, d) => s.Apply(d)));
        // Buffered writes joined into one delta have the same effect.
        Assert.Equal(join, ReplicaState.Empty.Apply(shuffled.Aggregate(Delta.Empty, (a, d) => a.Join(d))));
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Replicas_converge_to_the_join_after_anti_entropy(byte[] script)
    {
        var h = History.Run(script, replicas: 4);
        var join = h.Join();
        h.Quiesce();
        Assert.All(h.States, s => Assert.Equal(join, s));
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Replicas_that_prune_converge_and_keep_every_live_record(byte[] script)
    {
        var h = History.Run(script, replicas: 4, pruning: true);
        h.Quiesce();
        var before = h.States[0];
        h.PruneAll();
        Assert.All(h.States, s => Assert.Equal(h.States[0], s));
        var after = h.States[0];
        Assert.Equal(before.Registry.Live, after.Registry.Live);
        Assert.Equal(before.Version, after.Version);
        foreach (var id in before.Registry.Live.Select(e => e.Id))
        {
            Assert.Equal(before.DerivedHealth(id), after.DerivedHealth(id));
            Assert.Equal(before.Transitions(id), after.Transitions(id));
        }
        // What was pruned stays pruned: late copies of every write change nothing.
        for (var w = 0; w < h.Written.Count; w++)
            for (var r = 0; r < h.Count; r++) h.Deliver(w, r);
        Assert.All(h.States, s => Assert.Equal(after, s));
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Transitions_follow_what_their_writer_had_seen(byte[] script)
    {
        var h = History.Run(script);
        Assert.Empty(h.CausalViolations);
        h.Quiesce();
        foreach (var id in Enumerable.Range(0, History.OriginCount).Select(History.OriginId))
            Assert.All(h.States, s => Assert.Equal(h.States[0].Transitions(id), s.Transitions(id)));
    }
}
