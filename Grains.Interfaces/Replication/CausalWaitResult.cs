namespace Heck.Replication;

/// <summary>
/// How a read's wait for its causal token ended: covered (answer the read) or not within the bound (refuse it,
/// naming the dots still lacking), and how long it waited.
/// </summary>
[GenerateSerializer, Alias("heck.CausalWaitResult"), Immutable]
public sealed record CausalWaitResult(
    [property: Id(0)] bool Covered,
    [property: Id(1)] long WaitedMs,
    [property: Id(2)] IReadOnlyList<Dot> Lacking)
{
    /// <summary>No token, or one covered at once.</summary>
    public static readonly CausalWaitResult Immediate = new(true, 0, []);
}

/// <summary>A read with a causal token: the value (default when the token was not covered) and the wait.</summary>
[GenerateSerializer, Alias("heck.CausalRead`1"), Immutable]
public sealed record CausalRead<T>(
    [property: Id(0)] T? Value,
    [property: Id(1)] CausalWaitResult Wait,
    [property: Id(2)] CausalToken Token);
