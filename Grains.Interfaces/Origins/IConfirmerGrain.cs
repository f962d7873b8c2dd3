namespace Heck.Origins;

/// <summary>
/// Probes an origin once from one particular silo, for its owner's N-of-M confirmation. One per
/// silo, keyed by the silo's address and pinned to it: the point is the vantage point.
/// </summary>
[Alias("heck.IConfirmerGrain")]
public interface IConfirmerGrain : IGrainWithStringKey
{
    [Alias("Probe")]
    Task<ConfirmationVote> Probe(OriginSpec spec);
}

/// <summary>What a confirmer saw: success or failure, why, and who it is (<c>host:siloPort</c>).</summary>
[GenerateSerializer, Alias("heck.ConfirmationVote"), Immutable]
public sealed record ConfirmationVote(
    [property: Id(0)] bool Success,
    [property: Id(1)] string? Error,
    [property: Id(2)] string Prober);
