namespace Heck.Tests.Replication;

public sealed class PruningTests
{
    private static readonly HashSet<ReplicaId> NoneDead = [];

    /// <summary>
    /// A edits an origin while B removes it; C learns of the remove from B only, and A's edit is
    /// still in flight to C. Pruning the tombstone as soon as every replica has seen it would
    /// let that edit bring the origin back on C, and C would then differ from A and B for ever.
    /// </summary>
    private static History RaceEditWithRemove()
    {
        var h = new History(3);
        const int a = 0, b = 1, c = 2;
        h.Upsert(b, 0, 0);
        h.Sync(b, a, 0);
        h.Sync(b, c, 0);
        h.Upsert(a, 0, 1);   // the edit, in flight to C
        h.Remove(b, 0);      // concurrent remove
        h.Sync(b, a, 0);     // A sees the remove (its edit loses: same generation)
        h.Sync(b, c, 0);     // C sees the remove, never the edit
        return h;
    }

    [Fact]
    public void The_bare_intersection_of_vectors_is_not_safe_for_tombstones()
    {
        var h = RaceEditWithRemove();
        var meet = VersionVector.Meet(h.States.Select(s => s.Version));
        Assert.True(meet.Contains(h.Tombstones[0].Dot));
        var c = h.States[2].Prune(NoneDead, meet).Apply(h.Written[1].Delta);
        Assert.NotNull(c.Spec("o0")); // resurrected: why Prune needs a stable frontier
    }

    [Fact]
    public void A_stable_frontier_waits_for_writes_that_raced_with_the_tombstone()
    {
        var h = RaceEditWithRemove();
        var frontier = PruneFrontier.Initial;
        frontier = frontier.Next(Reports(h));
        frontier = frontier.Next(Reports(h));
        Assert.DoesNotContain(h.Tombstones[0].Dot, Dots(frontier.Stable)); // C has not seen A's edit yet
        var c = h.States[2].Prune(NoneDead, frontier.Stable);
        Assert.NotNull(c.Registry.Get("o0"));

        h.Sync(0, 2, 0); // C and B hear from A: they now have the edit's dot
        h.Sync(0, 1, 0);
        frontier = frontier.Next(Reports(h));
        frontier = frontier.Next(Reports(h));
        for (var r = 0; r < h.Count; r++) h.Set(r, h.States[r].Prune(NoneDead, frontier.Stable));
        Assert.All(h.States, s => Assert.Null(s.Registry.Get("o0")));
        for (var r = 0; r < h.Count; r++)
            foreach (var (_, delta) in h.Written) h.Set(r, h.States[r].Apply(delta));
        Assert.All(h.States, s => Assert.Null(s.Registry.Get("o0")));
        Assert.All(h.States, s => Assert.Equal(h.States[0], s));
    }

    [Fact]
    public void The_frontier_starts_over_when_the_live_set_changes()
    {
        var h = RaceEditWithRemove();
        h.Quiesce();
        var frontier = PruneFrontier.Initial.Next(Reports(h)).Next(Reports(h));
        Assert.Equal(h.States[0].Version, frontier.Stable);
        var two = Reports(h).Where(r => r.Key != h.Ids[2]).ToDictionary();
        var next = frontier.Next(two);
        Assert.Equal(frontier.Stable, next.Stable);
        Assert.Equal(2, next.Members.Count);
    }

    [Fact]
    public void Slots_of_a_dead_generation_go_once_everyone_has_them_and_late_copies_stay_out()
    {
        var h = new History(3);
        h.Upsert(0, 0, 0);
        h.Quiesce();
        h.Probe(2, 0, 4); // the dying silo's last observation
        h.Probe(0, 0, 1);
        var late = h.Written[^2].Delta;
        h.Quiesce();
        var dead = new HashSet<ReplicaId> { h.Ids[2] };
        var frontier = VersionVector.Meet([h.States[0].Version, h.States[1].Version]);
        var pruned = h.States[0].Prune(dead, frontier);
        Assert.Equal([h.Ids[0]], pruned.Health.Slots("o0").Keys);
        Assert.Equal(pruned, pruned.Apply(late));
        Assert.Equal(h.Ids[0], pruned.DerivedHealth("o0")!.Slot);
    }

    [Fact]
    public void Health_of_a_removed_origin_goes_before_its_tombstone()
    {
        var h = new History(2);
        h.Upsert(0, 0, 0);
        h.Probe(0, 0, 5);
        h.Sync(0, 1, 0);
        h.Remove(1, 0);
        Assert.Null(h.States[1].DerivedHealth("o0"));
        h.Quiesce();
        var frontier = PruneFrontier.Initial.Next(Reports(h)).Next(Reports(h)).Stable;
        var pruned = h.States[0].Prune(NoneDead, frontier);
        Assert.Equal(0, pruned.RecordCount);
        Assert.Equal(h.States[0].Version, pruned.Version);
        foreach (var (_, delta) in h.Written) pruned = pruned.Apply(delta);
        Assert.Equal(0, pruned.RecordCount);
    }

    [Fact]
    public void An_add_after_a_pruned_tombstone_beats_a_copy_of_that_tombstone_not_yet_pruned()
    {
        var h = new History(2);
        h.Upsert(0, 0, 0);
        h.Remove(0, 0);
        h.Quiesce();
        var frontier = PruneFrontier.Initial.Next(Reports(h)).Next(Reports(h)).Stable;
        h.Set(0, h.States[0].Prune(NoneDead, frontier)); // replica 0 forgets the tombstone, replica 1 not yet
        Assert.Null(h.States[0].Registry.Get("o0"));
        h.Upsert(0, 0, 1);                                // so it adds the origin afresh
        h.Quiesce();
        Assert.All(h.States, s => Assert.Equal(History.Spec("o0", 1), s.Spec("o0")));
    }

    private static Dictionary<ReplicaId, VersionVector> Reports(History h) =>
        Enumerable.Range(0, h.Count).ToDictionary(i => h.Ids[i], i => h.States[i].Version);

    private static IEnumerable<Dot> Dots(VersionVector v) =>
        v.Contiguous.SelectMany(e => Enumerable.Range(1, (int)e.Value).Select(n => new Dot(e.Key, n))).Concat(v.OutOfOrder);
}
