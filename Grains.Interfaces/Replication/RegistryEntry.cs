using Heck.Origins;

namespace Heck.Replication;

/// <summary>
/// One write to the registry for one origin id: a spec (add or edit) or, with a null
/// <see cref="Spec"/>, a tombstone that removes the <see cref="Generation"/> it observed.
/// Per id the registry keeps the winner of <see cref="CompareTo"/>, a total order that every
/// replica applies alike:
/// <list type="number">
/// <item>higher generation wins: a re-add after a remove starts the next generation, so no late
/// write of an older generation can bring old state back (add wins over the remove);</item>
/// <item>within a generation a tombstone wins over specs: a remove takes the whole generation it saw;</item>
/// <item>then the later hybrid logical clock (a write that observed another is later), then the
/// higher replica id, then the higher counter, so concurrent edits resolve deterministically.</item>
/// </list>
/// </summary>
[GenerateSerializer, Alias("heck.RegistryEntry"), Immutable]
public sealed record RegistryEntry(
    [property: Id(0)] string Id,
    [property: Id(1)] long Generation,
    [property: Id(2)] OriginSpec? Spec,
    [property: Id(3)] Hlc Hlc,
    [property: Id(4)] Dot Dot) : IComparable<RegistryEntry>
{
    public bool IsTombstone => Spec is null;

    /// <summary>
    /// The generation an add at <paramref name="hlc"/> starts: the timestamp read as one number,
    /// wall milliseconds then a six-digit counter (e.g. 1700000001822000003). A plain "previous + 1"
    /// is not enough: once a tombstone is pruned, nobody remembers the previous generation, and
    /// an add that reused it would lose to a copy of that tombstone not yet pruned elsewhere. An
    /// add happens after every remove it follows, so its timestamp, and thus its generation, is larger.
    /// </summary>
    public static long GenerationAt(Hlc hlc) => hlc.WallMs * 1_000_000 + Math.Min(hlc.Counter, 999_999);

    public int CompareTo(RegistryEntry? other)
    {
        if (other is null) return 1;
        var c = Generation.CompareTo(other.Generation);
        if (c != 0) return c;
        c = IsTombstone.CompareTo(other.IsTombstone);
        if (c != 0) return c;
        c = Hlc.CompareTo(other.Hlc);
        return c != 0 ? c : Dot.CompareTo(other.Dot);
    }

    /// <summary>The winner of two writes to the same id.</summary>
    public static RegistryEntry Max(RegistryEntry a, RegistryEntry b) => a.CompareTo(b) >= 0 ? a : b;

    public int EstimatedBytes => 8 + Id.Length + 8 + 12 + Dot.EstimatedBytes + SpecBytes(Spec);

    private static int SpecBytes(OriginSpec? spec) => spec is null ? 1 :
        32 + spec.Id.Length + spec.Url.Length + spec.Method.Length + spec.ExpectStatus.Length +
        (spec.BodyContains?.Length ?? 0) + spec.Headers.Sum(h => h.Key.Length + h.Value.Length + 4);
}
