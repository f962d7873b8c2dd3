namespace Heck.Tests.Replication;

public sealed class VersionVectorProperties
{
    private static readonly ReplicaId[] Replicas = [new("a:1", 1), new("b:1", 1), new("b:1", 2)];

    // Small counters so that prefixes, gaps and overlaps all occur.
    private static Dot[] Dots(byte[]? bytes) =>
        [.. (bytes ?? []).Select(b => new Dot(Replicas[b % 3], 1 + b / 3 % 9))];

    private static VersionVector Vector(IEnumerable<Dot> dots) =>
        dots.Aggregate(VersionVector.Empty, (v, d) => v.Add(d));

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Contains_exactly_the_added_dots_whatever_the_order(byte[] bytes)
    {
        var dots = Dots(bytes);
        var v = Vector(dots);
        Assert.Equal(v, Vector(dots.Reverse()));
        foreach (var replica in Replicas)
            for (var n = 1; n <= 10; n++)
                Assert.Equal(dots.Contains(new Dot(replica, n)), v.Contains(new Dot(replica, n)));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Merge_is_the_union_and_a_join(byte[] x, byte[] y, byte[] z)
    {
        var (a, b, c) = (Vector(Dots(x)), Vector(Dots(y)), Vector(Dots(z)));
        Assert.Equal(Vector(Dots(x).Concat(Dots(y))), a.Merge(b));
        Assert.Equal(a.Merge(b), b.Merge(a));
        Assert.Equal(a.Merge(b).Merge(c), a.Merge(b.Merge(c)));
        Assert.Equal(a, a.Merge(a));
        Assert.True(a.Merge(b).Includes(a) && a.Merge(b).Includes(b));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Intersect_is_the_intersection_and_a_meet(byte[] x, byte[] y, byte[] z)
    {
        var (a, b, c) = (Vector(Dots(x)), Vector(Dots(y)), Vector(Dots(z)));
        Assert.Equal(Vector(Dots(x).Where(d => b.Contains(d))), a.Intersect(b));
        Assert.Equal(a.Intersect(b), b.Intersect(a));
        Assert.Equal(a.Intersect(b).Intersect(c), VersionVector.Meet([a, b, c]));
        Assert.Equal(a, a.Intersect(a));
        Assert.True(a.Includes(a.Intersect(b)) && b.Includes(a.Intersect(b)));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Only_keeps_exactly_the_dots_of_one_replica(byte[] x)
    {
        var v = Vector(Dots(x));
        foreach (var replica in Replicas)
            Assert.Equal(Vector(Dots(x).Where(d => d.Replica == replica)), v.Only(replica));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Includes_means_every_dot_is_contained(byte[] x, byte[] y)
    {
        var (a, b) = (Vector(Dots(x)), Vector(Dots(y)));
        Assert.Equal(Dots(y).All(a.Contains), a.Includes(b));
    }

    [Fact]
    public void Out_of_order_dots_close_the_gap_once_it_fills()
    {
        var r = Replicas[0];
        var v = VersionVector.Empty.Add(new Dot(r, 3)).Add(new Dot(r, 2));
        Assert.Equal(0, v[r]);
        Assert.Equal(2, v.OutOfOrder.Count);
        Assert.False(v.ContainsPrefix(new Dot(r, 2)));
        v = v.Add(new Dot(r, 1));
        Assert.Equal(3, v[r]);
        Assert.Empty(v.OutOfOrder);
        Assert.Equal(new Dot(r, 4), v.Next(r));
        Assert.Equal(VersionVector.FromCounters([KeyValuePair.Create(r, 3L)]), v);
    }
}
