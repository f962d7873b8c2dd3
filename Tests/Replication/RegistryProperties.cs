namespace Heck.Tests.Replication;

/// <summary>Laws of the registry, over registries that replicas reached in a replayed history.</summary>
public sealed class RegistryProperties : CrdtLaws<Registry, RegistryEntry>
{
    protected override Registry Empty => Registry.Empty;
    protected override Registry Of(ReplicaState state) => state.Registry;
    protected override Registry Merge(Registry a, Registry b) => a.Merge(b);
    protected override Registry Add(Registry map, RegistryEntry record) => map.Add(record);
    protected override IEnumerable<RegistryEntry> NotIn(Registry map, VersionVector seen) => map.NotIn(seen);
    protected override IEnumerable<RegistryEntry> RecordsOf(Delta delta) => delta.Specs;

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 400)]
    public void A_removed_generation_never_comes_back(byte[] script, bool pruning)
    {
        var h = History.Run(script, pruning: pruning);
        h.Quiesce();
        if (pruning) h.PruneAll();
        // Late and duplicate copies of every write, then a second quiescence.
        for (var w = h.Written.Count - 1; w >= 0; w--) h.Deliver(w, w % h.Count);
        h.Quiesce();
        foreach (var state in h.Snapshots)
            foreach (var tombstone in h.Tombstones.Where(t => state.Version.Contains(t.Dot)))
            {
                var entry = state.Registry.Get(tombstone.Id);
                Assert.True(entry is null || entry.IsTombstone || entry.Generation > tombstone.Generation,
                    $"{entry} shown after {tombstone} was seen");
            }
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Pruning_keeps_every_live_spec(byte[] script, byte i)
    {
        var h = History.Run(script);
        var state = h.Snapshot(i);
        var frontier = VersionVector.Meet(h.States.Select(s => s.Version).Append(state.Version));
        var pruned = state.Registry.Prune(frontier);
        Assert.Equal(state.Registry.Live, pruned.Live);
        Assert.DoesNotContain(pruned.Entries, e => e.IsTombstone && frontier.ContainsPrefix(e.Dot));
    }
}
