namespace Heck.Health;

/// <summary>What one probe of one origin saw.</summary>
/// <param name="At">When the probe started.</param>
/// <param name="Success">Whether the probe met the origin's expectations.</param>
/// <param name="LatencyMs">Time until the verdict (response headers, body check, or TCP connect).</param>
/// <param name="StatusCode">HTTP status, when a response arrived.</param>
/// <param name="Error">Why the probe failed (timeout, refused, TLS, status, body); null on success.</param>
/// <param name="Prober">The probing silo's <c>host:siloPort</c>.</param>
[GenerateSerializer, Alias("heck.Observation"), Immutable]
public sealed record Observation(
    [property: Id(0)] DateTimeOffset At, [property: Id(1)] bool Success, [property: Id(2)] double LatencyMs,
    [property: Id(3)] int? StatusCode, [property: Id(4)] string? Error, [property: Id(5)] string Prober);
