namespace Heck.Replication;

/// <summary>
/// The identity of one write: the replica that made it and that replica's event counter
/// (1, 2, 3, … with no gaps). A version vector says which dots a replica has seen.
/// </summary>
[GenerateSerializer, Alias("heck.Dot"), Immutable]
public readonly record struct Dot([property: Id(0)] ReplicaId Replica, [property: Id(1)] long Counter) : IComparable<Dot>
{
    public int CompareTo(Dot other)
    {
        var c = Replica.CompareTo(other.Replica);
        return c != 0 ? c : Counter.CompareTo(other.Counter);
    }

    internal int EstimatedBytes => Replica.EstimatedBytes + 8;

    public override string ToString() => $"{Replica}#{Counter}";
}
