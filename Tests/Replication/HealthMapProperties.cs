namespace Heck.Tests.Replication;

/// <summary>Laws of the health map, over maps that replicas reached in a replayed history.</summary>
public sealed class HealthMapProperties : CrdtLaws<HealthMap, SlotRecord>
{
    protected override HealthMap Empty => HealthMap.Empty;
    protected override HealthMap Of(ReplicaState state) => state.Health;
    protected override HealthMap Merge(HealthMap a, HealthMap b) => a.Merge(b);
    protected override HealthMap Add(HealthMap map, SlotRecord record) => map.Add(record);
    protected override IEnumerable<SlotRecord> NotIn(HealthMap map, VersionVector seen) => map.NotIn(seen);
    protected override IEnumerable<SlotRecord> RecordsOf(Delta delta) => delta.Slots;

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
