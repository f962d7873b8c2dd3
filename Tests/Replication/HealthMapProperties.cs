using Heck.Replication;
using Xunit;

namespace Heck.Tests.Replication;

/// <summary>Laws of the health map, over maps that replicas reached in a replayed history.</summary>
public sealed class HealthMapProperties
{
    private static (HealthMap A, HealthMap B, HealthMap C) Pick(byte[] script, byte i, byte j, byte k)
    {
        var h = History.Run(script);
        return (h.Snapshot(i).Health, h.Snapshot(j).Health, h.Snapshot(k).Health);
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Merge_is_commutative(byte[] script, byte i, byte j)
    {
        var (a, b, _) = Pick(script, i, j, 0);
        Assert.Equal(a.Merge(b), b.Merge(a));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Merge_is_associative(byte[] script, byte i, byte j, byte k)
    {
        var (a, b, c) = Pick(script, i, j, k);
        Assert.Equal(a.Merge(b).Merge(c), a.Merge(b.Merge(c)));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Merge_is_idempotent(byte[] script, byte i, byte j)
    {
        var (a, b, _) = Pick(script, i, j, 0);
        Assert.Equal(a, a.Merge(a));
        Assert.Equal(a.Merge(b), a.Merge(b).Merge(b));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Adding_what_a_peer_lacks_equals_merging_full_state(byte[] script, byte i, byte j)
    {
        var h = History.Run(script);
        var (a, b) = (h.Snapshot(i), h.Snapshot(j));
        Assert.Equal(a.Health.Merge(b.Health), b.Health.NotIn(a.Version).Aggregate(a.Health, (m, r) => m.Add(r)));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Writes_in_any_order_with_duplicates_converge(byte[] script, int seed)
    {
        var h = History.Run(script);
        var random = new Random(seed);
        var records = h.Written.SelectMany(w => w.Delta.Slots).ToList();
        var shuffled = records.Concat(records.Where(_ => random.Next(2) == 0)).OrderBy(_ => random.Next());
        Assert.Equal(h.Join().Health, shuffled.Aggregate(HealthMap.Empty, (m, r) => m.Add(r)));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Each_slot_has_one_writer_whose_sequence_only_rises(byte[] script)
    {
        var h = History.Run(script);
        foreach (var record in h.Snapshots.SelectMany(s => s.Health.Records))
            Assert.Equal(record.Slot, record.Dot.Replica);
        foreach (var slot in h.Written.SelectMany(w => w.Delta.Slots).GroupBy(r => (r.OriginId, r.Slot)))
        {
            var records = slot.ToList();
            for (var n = 1; n < records.Count; n++)
            {
                Assert.True(records[n].Sequence > records[n - 1].Sequence);
                Assert.True(records[n].CompareTo(records[n - 1]) > 0, "a later write of a slot wins");
            }
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Pruning_dead_slots_keeps_every_live_slot(byte[] script, byte i, byte deadMask)
    {
        var h = History.Run(script);
        var state = h.Snapshot(i);
        var dead = h.Ids.Where((_, n) => (deadMask >> n & 1) != 0).ToHashSet();
        var frontier = VersionVector.Meet(h.States.Select(s => s.Version).Append(state.Version));
        var pruned = state.Health.Prune(dead, frontier);
        Assert.Equal(state.Health.Records.Where(r => !dead.Contains(r.Slot)), pruned.Records.Where(r => !dead.Contains(r.Slot)));
        Assert.DoesNotContain(pruned.Records, r => dead.Contains(r.Slot) && frontier.ContainsPrefix(r.Dot));
    }
}
