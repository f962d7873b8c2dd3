namespace Heck.Replication;

/// <summary>
/// One replica: a silo generation. A restarted silo is a new replica (Orleans' rule: dead is
/// final for a generation), so its counters and health slots start afresh.
/// </summary>
/// <param name="Address">The silo's <c>host:siloPort</c>.</param>
/// <param name="Generation">The Orleans silo generation.</param>
[GenerateSerializer, Alias("heck.ReplicaId"), Immutable]
public readonly record struct ReplicaId([property: Id(0)] string Address, [property: Id(1)] int Generation)
    : IComparable<ReplicaId>
{
    public int CompareTo(ReplicaId other)
    {
        var c = string.CompareOrdinal(Address, other.Address);
        return c != 0 ? c : Generation.CompareTo(other.Generation);
    }

    public static bool operator <(ReplicaId a, ReplicaId b) => a.CompareTo(b) < 0;
    public static bool operator >(ReplicaId a, ReplicaId b) => a.CompareTo(b) > 0;

    internal int EstimatedBytes => 8 + (Address?.Length ?? 0);

    public override string ToString() => $"{Address}@{Generation}";
}
