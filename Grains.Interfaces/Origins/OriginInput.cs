namespace Heck.Origins;

/// <summary>
/// An origin as a user writes it (HTTP body, SDK call, origins file): every field but the url optional.
/// Turned into an <see cref="OriginSpec"/> by <see cref="OriginValidator.Validate"/>.
/// </summary>
public class OriginInput
{
    public string? Url { get; set; }
    public int? IntervalMs { get; set; }
    public int? TimeoutMs { get; set; }
    public string? Method { get; set; }
    /// <summary>Status codes and ranges, comma separated: <c>200-299,404</c>.</summary>
    public string? ExpectStatus { get; set; }
    public string? BodyContains { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public int? DegradedLatencyMs { get; set; }
    public int? HealthyThreshold { get; set; }
    public int? UnhealthyThreshold { get; set; }
}
