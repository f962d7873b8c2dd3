using Heck.Replication;
using Xunit;

namespace Heck.Tests.Replication;

/// <summary>Laws of the registry, over registries that replicas reached in a replayed history.</summary>
public sealed class RegistryProperties
{
    private static (Registry A, Registry B, Registry C) Pick(byte[] script, byte i, byte j, byte k)
    {
        var h = History.Run(script);
        return (h.Snapshot(i).Registry, h.Snapshot(j).Registry, h.Snapshot(k).Registry);
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
        Assert.Equal(a.Registry.Merge(b.Registry), b.Registry.NotIn(a.Version).Aggregate(a.Registry, (r, e) => r.Add(e)));
    }

    [FsCheck.Xunit.Property(MaxTest = 200, EndSize = 400)]
    public void Writes_in_any_order_with_duplicates_converge(byte[] script, int seed)
    {
        var h = History.Run(script);
        var random = new Random(seed);
        var entries = h.Written.SelectMany(w => w.Delta.Specs).ToList();
        var shuffled = entries.Concat(entries.Where(_ => random.Next(2) == 0)).OrderBy(_ => random.Next());
        Assert.Equal(h.Join().Registry, shuffled.Aggregate(Registry.Empty, (r, e) => r.Add(e)));
    }

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
