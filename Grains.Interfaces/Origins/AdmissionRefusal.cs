namespace Heck.Origins;

public enum AdmissionRefusalKind
{
    /// <summary>The cluster holds as many origins as <c>Heck:Limits:MaxOrigins</c> allows (HTTP 429).</summary>
    TooManyOrigins,
    /// <summary>The write would schedule more probes per second than the cluster's budget (HTTP 503).</summary>
    OverBudget,
}

/// <summary>Why a valid write was not taken on: the limit it met, said in words and by its configuration key.</summary>
[GenerateSerializer, Alias("heck.AdmissionRefusal"), Immutable]
public sealed record AdmissionRefusal(
    [property: Id(0)] AdmissionRefusalKind Kind,
    [property: Id(1)] string Detail,
    [property: Id(2)] string Key);
