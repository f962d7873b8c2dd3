namespace Heck.Membership.Wire;

/// <summary>Thread-safe counts of accepted packets and of drops by reason.</summary>
public sealed class WireCounters
{
    private readonly long[] drops = new long[Enum.GetValues<DropReason>().Length];
    private long accepted;

    public long Accepted => Interlocked.Read(ref accepted);

    public long Dropped(DropReason reason) => Interlocked.Read(ref drops[(int)reason]);

    public long TotalDropped
    {
        get
        {
            long sum = 0;
            for (var i = 1; i < drops.Length; i++) sum += Interlocked.Read(ref drops[i]);
            return sum;
        }
    }

    internal void Accept() => Interlocked.Increment(ref accepted);

    internal void Drop(DropReason reason) => Interlocked.Increment(ref drops[(int)reason]);

    public override string ToString() =>
        $"accepted={Accepted} " + string.Join(" ", Enum.GetValues<DropReason>().Skip(1).Select(r => $"{r}={Dropped(r)}"));
}
