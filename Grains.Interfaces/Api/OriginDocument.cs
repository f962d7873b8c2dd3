using Heck.Health;
using Heck.Origins;

namespace Heck.Api;

/// <summary>
/// An origin as a JSON document: spec fields at top level, health under <c>health</c>. The HTTP
/// API and the CLI's <c>--json</c> both write this one type, so scripts read the same shape. Secrets are
/// shown as <see cref="Redaction.Mask"/> (<see cref="Redaction"/>): a document never holds one.
/// </summary>
public sealed record OriginDocument(
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
    bool? ReuseConnection,
    HealthDocument Health,
    string? ObservedBy,
    DateTimeOffset? ObservedAt,
    DateTimeOffset? ReplicatedAt)
{
    public static OriginDocument From(OriginView view)
    {
        var s = Redaction.Spec(view.Spec);
        var http = s.Kind == OriginKind.Http;
        return new(s.Id, s.Url, s.IntervalMs, s.TimeoutMs,
            http ? s.Method : null, http ? s.ExpectStatus : null, s.BodyContains,
            s.Headers.Count > 0 ? s.Headers : null, s.DegradedLatencyMs, s.HealthyThreshold, s.UnhealthyThreshold,
            http ? s.ReuseConnection : null, HealthDocument.From(view.Health), view.ObservedBy, view.ObservedAt, view.ReplicatedAt);
    }
}

/// <summary>
/// An origin's health. <c>stale</c> is true when the freshest observation (<c>ageMs</c> old, made at
/// the origin's <c>observedAt</c>) is past the staleness bound: the status then reads <c>unknown</c>.
/// </summary>
public sealed record HealthDocument(
    HealthStatus Status,
    bool Stale,
    long? AgeMs,
    DateTimeOffset Since,
    DateTimeOffset? LastProbeAt,
    double? LastLatencyMs,
    int? LastStatusCode,
    string? LastError,
    string? Owner,
    int ConsecutiveSuccesses,
    int ConsecutiveFailures,
    IReadOnlyList<string>? ConfirmedBy)
{
    public static HealthDocument From(HealthView h) => new(
        h.Status, h.Stale, h.AgeMs, h.Since, h.LastProbeAt, h.LastLatencyMs is { } l ? Math.Round(l, 1) : null, h.LastStatusCode,
        h.LastError, h.Owner, h.ConsecutiveSuccesses, h.ConsecutiveFailures, h.ConfirmedBy);
}

public sealed record OriginListDocument(IReadOnlyList<OriginDocument> Items);
