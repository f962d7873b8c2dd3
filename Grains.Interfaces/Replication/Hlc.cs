namespace Heck.Replication;

/// <summary>
/// A hybrid logical clock timestamp: wall-clock milliseconds plus a logical counter that orders
/// events within one millisecond (or while the wall clock lags behind what was observed).
/// An event that happened after another (locally or via a merge) always has a larger Hlc.
/// </summary>
[GenerateSerializer, Alias("heck.Hlc"), Immutable]
public readonly record struct Hlc([property: Id(0)] long WallMs, [property: Id(1)] int Counter) : IComparable<Hlc>
{
    public static readonly Hlc Zero = default;

    public DateTimeOffset Wall => DateTimeOffset.FromUnixTimeMilliseconds(WallMs);

    public int CompareTo(Hlc other)
    {
        var c = WallMs.CompareTo(other.WallMs);
        return c != 0 ? c : Counter.CompareTo(other.Counter);
    }

    public static Hlc Max(Hlc a, Hlc b) => a.CompareTo(b) >= 0 ? a : b;

    public static bool operator <(Hlc a, Hlc b) => a.CompareTo(b) < 0;
    public static bool operator >(Hlc a, Hlc b) => a.CompareTo(b) > 0;
    public static bool operator <=(Hlc a, Hlc b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Hlc a, Hlc b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{WallMs}.{Counter}";
}
