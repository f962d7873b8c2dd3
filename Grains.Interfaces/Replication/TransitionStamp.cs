namespace Heck.Replication;

/// <summary>
/// Where a transition sits in its origin's history: the registry generation of the origin it was
/// observed for, then the hybrid logical clock and dot of the slot write that recorded it.
/// <para>
/// The order (generation, Hlc, dot) is total and the same on every silo. It extends happened-before
/// within a generation (a writer stamps after everything it has seen, <see cref="ReplicaState.RecordHealth"/>),
/// and a generation's transitions all sort after the older generations': a transition never comes
/// before the registration it belongs to, whatever the clocks say.
/// </para>
/// </summary>
[GenerateSerializer, Alias("heck.TransitionStamp"), Immutable]
public readonly record struct TransitionStamp(
    [property: Id(0)] long Generation,
    [property: Id(1)] Hlc Hlc,
    [property: Id(2)] Dot Dot) : IComparable<TransitionStamp>
{
    public int CompareTo(TransitionStamp other)
    {
        var c = Generation.CompareTo(other.Generation);
        if (c != 0) return c;
        c = Hlc.CompareTo(other.Hlc);
        return c != 0 ? c : Dot.CompareTo(other.Dot);
    }

    public static bool operator <(TransitionStamp a, TransitionStamp b) => a.CompareTo(b) < 0;
    public static bool operator >(TransitionStamp a, TransitionStamp b) => a.CompareTo(b) > 0;
    public static bool operator <=(TransitionStamp a, TransitionStamp b) => a.CompareTo(b) <= 0;
    public static bool operator >=(TransitionStamp a, TransitionStamp b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Generation}/{Hlc}/{Dot}";
}
