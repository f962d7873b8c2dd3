using System.Text.Json.Nodes;
using Heck.Origins;

namespace Heck.Api;

/// <summary>
/// An origin as the shortest PUT body that gives it: only the fields that differ from their defaults. A merge
/// patch applies to this form, so a patch that changes the interval also moves a timeout left at its default,
/// as a PUT without a timeout would; and the silo's ETag hashes it.
/// </summary>
public static class OriginInputJson
{
    public static JsonObject AsInput(OriginSpec spec) =>
        Shortest(spec.Url, spec.IntervalMs, spec.TimeoutMs, spec.Kind == OriginKind.Http ? spec.Method : null,
            spec.Kind == OriginKind.Http ? spec.ExpectStatus : null, spec.ReuseConnection, spec.BodyContains, spec.Headers,
            spec.DegradedLatencyMs, spec.HealthyThreshold, spec.UnhealthyThreshold);

    public static JsonObject AsInput(OriginDocument d) =>
        Shortest(d.Url, d.IntervalMs, d.TimeoutMs, d.Method, d.ExpectStatus, d.ReuseConnection ?? false, d.BodyContains,
            d.Headers ?? new Dictionary<string, string>(), d.DegradedLatencyMs, d.HealthyThreshold, d.UnhealthyThreshold);

    private static JsonObject Shortest(string url, int intervalMs, int timeoutMs, string? method, string? expectStatus, bool reuseConnection,
        string? bodyContains, IReadOnlyDictionary<string, string> headers, int? degradedLatencyMs, int healthyThreshold, int unhealthyThreshold)
    {
        var json = new JsonObject { ["url"] = url };
        if (intervalMs != OriginDefaults.IntervalMs) json["intervalMs"] = intervalMs;
        if (timeoutMs != OriginDefaults.TimeoutMs(intervalMs)) json["timeoutMs"] = timeoutMs;
        if (method is { Length: > 0 } && method != "GET") json["method"] = method;
        if (expectStatus is { Length: > 0 } && expectStatus != OriginDefaults.ExpectStatus) json["expectStatus"] = expectStatus;
        if (reuseConnection) json["reuseConnection"] = true;
        if (bodyContains is not null) json["bodyContains"] = bodyContains;
        if (headers.Count > 0)
        {
            var h = new JsonObject();
            foreach (var (name, value) in headers.OrderBy(x => x.Key, StringComparer.Ordinal)) h[name] = value;
            json["headers"] = h;
        }
        if (degradedLatencyMs is { } degraded) json["degradedLatencyMs"] = degraded;
        if (healthyThreshold != OriginDefaults.HealthyThreshold) json["healthyThreshold"] = healthyThreshold;
        if (unhealthyThreshold != OriginDefaults.UnhealthyThreshold) json["unhealthyThreshold"] = unhealthyThreshold;
        return json;
    }
}
