namespace Heck.Tests.Replication;

/// <summary>
/// The laws every replicated map keeps (a join-semilattice whose deltas are its records), over
/// values that replicas reached in a replayed history. A subclass says which part of
/// <see cref="ReplicaState"/> it checks and how its records are added; it adds its own laws.
/// </summary>
public abstract class CrdtLaws<TMap, TRecord>
{
    protected abstract TMap Empty { get; }
    protected abstract TMap Of(ReplicaState state);
    protected abstract TMap Merge(TMap a, TMap b);
    protected abstract TMap Add(TMap map, TRecord record);
    protected abstract IEnumerable<TRecord> NotIn(TMap map, VersionVector seen);
    protected abstract IEnumerable<TRecord> RecordsOf(Delta delta);

    private (TMap A, TMap B, TMap C) Pick(byte[] script, byte i, byte j, byte k)
    {
        var h = History.Run(script);
        return (Of(h.Snapshot(i)), Of(h.Snapshot(j)), Of(h.Snapshot(k)));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Merge_is_commutative(byte[] script, byte i, byte j)
    {
        var (a, b, _) = Pick(script, i, j, 0);
        Assert.Equal(Merge(a, b), Merge(b, a));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Merge_is_associative(byte[] script, byte i, byte j, byte k)
    {
        var (a, b, c) = Pick(script, i, j, k);
        Assert.Equal(Merge(Merge(a, b), c), Merge(a, Merge(b, c)));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Merge_is_idempotent(byte[] script, byte i, byte j)
    {
        var (a, b, _) = Pick(script, i, j, 0);
        Assert.Equal(a, Merge(a, a));
        Assert.Equal(Merge(a, b), Merge(Merge(a, b), b));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Adding_what_a_peer_lacks_equals_merging_full_state(byte[] script, byte i, byte j)
    {
        var h = History.Run(script);
        var (a, b) = (h.Snapshot(i), h.Snapshot(j));
        Assert.Equal(Merge(Of(a), Of(b)), NotIn(Of(b), a.Version).Aggregate(Of(a), Add));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Writes_in_any_order_with_duplicates_converge(byte[] script, int seed)
    {
        var h = History.Run(script);
        var random = new Random(seed);
        var records = h.Written.SelectMany(w => RecordsOf(w.Delta)).ToList();
        var shuffled = records.Concat(records.Where(_ => random.Next(2) == 0)).OrderBy(_ => random.Next());
        Assert.Equal(Of(h.Join()), shuffled.Aggregate(Empty, Add));
    }
}
