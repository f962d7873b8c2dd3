using System.Text.Json.Serialization;

namespace Heck.Origins;

/// <summary>
/// An origin as a user writes it (HTTP body, SDK call, CLI, origins file): every field but the url
/// optional. Turned into an <see cref="OriginSpec"/> by <see cref="OriginValidator.Validate(string?, OriginInput, out OriginSpec?)"/>.
/// </summary>
public class OriginInput
{
    /// <summary>
    /// For carriers that hold the id themselves: the origins file names it here; an HTTP body may,
    /// and must then agree with its path. Elsewhere the id is passed beside the input.
    /// </summary>
    public string? Id { get; set; }
    public string? Url { get; set; }
    public int? IntervalMs { get; set; }
    public int? TimeoutMs { get; set; }
    public string? Method { get; set; }
    /// <summary>
    /// Status codes and ranges, comma separated: <c>200-299,404</c>. JSON may also give a number or
    /// an array of strings and numbers, read into this same text.
    /// </summary>
    [JsonConverter(typeof(ExpectStatusJsonConverter))]
    public string? ExpectStatus { get; set; }
    public string? BodyContains { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public int? DegradedLatencyMs { get; set; }
    public int? HealthyThreshold { get; set; }
    public int? UnhealthyThreshold { get; set; }
    /// <summary>HTTP(S) only: true probes over pooled keep-alive connections; by default each probe opens a new one.</summary>
    public bool? ReuseConnection { get; set; }
}
