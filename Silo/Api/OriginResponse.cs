using Heck.Health;
using Heck.Origins;

namespace Heck.Silo.Api;

/// <summary>An origin on the API: its spec fields at top level, its health under <c>health</c>.</summary>
public sealed record OriginResponse(
    string Id,
    string Url,
    int IntervalMs,
    int TimeoutMs,
    string? Method,
    string? ExpectStatus,
    string? BodyContains,
    IReadOnlyDictionary<string, string>? Headers,
    int? DegradedLatencyMs,
    int HealthyThreshold,
    int UnhealthyThreshold,
    HealthResponse Health,
    string? ObservedBy,
    DateTimeOffset? ObservedAt,
    DateTimeOffset? ReplicatedAt)
{
    public static OriginResponse From(OriginView view)
    {
        var s = view.Spec;
        var http = s.Kind == OriginKind.Http;
        return new(s.Id, s.Url, s.IntervalMs, s.TimeoutMs,
            http ? s.Method : null, http ? s.ExpectStatus : null, s.BodyContains,
            s.Headers.Count > 0 ? s.Headers : null, s.DegradedLatencyMs, s.HealthyThreshold, s.UnhealthyThreshold,
            HealthResponse.From(view.Health), view.ObservedBy, view.ObservedAt, view.ReplicatedAt);
    }
}

public sealed record HealthResponse(
    HealthStatus Status,
    DateTimeOffset Since,
    DateTimeOffset? LastProbeAt,
    double? LastLatencyMs,
    int? LastStatusCode,
    string? LastError,
    string? Owner,
    int ConsecutiveSuccesses,
    int ConsecutiveFailures)
{
    public static HealthResponse From(HealthView h) => new(
        h.Status, h.Since, h.LastProbeAt, h.LastLatencyMs is { } l ? Math.Round(l, 1) : null, h.LastStatusCode,
        h.LastError, h.Owner, h.ConsecutiveSuccesses, h.ConsecutiveFailures);
}

public sealed record OriginListResponse(IReadOnlyList<OriginResponse> Items);
