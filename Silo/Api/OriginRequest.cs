using System.Text.Json;
using Heck.Origins;

namespace Heck.Silo.Api;

/// <summary>The body of <c>PUT /api/origins/{id}</c>.</summary>
public sealed class OriginRequest
{
    /// <summary>Optional; when given it must equal the id in the path.</summary>
    public string? Id { get; set; }
    public string? Url { get; set; }
    public int? IntervalMs { get; set; }
    public int? TimeoutMs { get; set; }
    public string? Method { get; set; }
    /// <summary>A string (<c>"200-299,404"</c>), a number, or an array of either.</summary>
    public JsonElement? ExpectStatus { get; set; }
    public string? BodyContains { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public int? DegradedLatencyMs { get; set; }
    public int? HealthyThreshold { get; set; }
    public int? UnhealthyThreshold { get; set; }

    public OriginInput ToInput(List<FieldError> errors) => new()
    {
        Url = Url,
        IntervalMs = IntervalMs,
        TimeoutMs = TimeoutMs,
        Method = Method,
        ExpectStatus = ExpectStatusText(errors),
        BodyContains = BodyContains,
        Headers = Headers,
        DegradedLatencyMs = DegradedLatencyMs,
        HealthyThreshold = HealthyThreshold,
        UnhealthyThreshold = UnhealthyThreshold,
    };

    private string? ExpectStatusText(List<FieldError> errors)
    {
        if (ExpectStatus is not { } e || e.ValueKind == JsonValueKind.Null) return null;
        static string? Item(JsonElement x) => x.ValueKind switch
        {
            JsonValueKind.String => x.GetString(),
            JsonValueKind.Number when x.TryGetInt32(out var n) => n.ToString(),
            _ => null,
        };
        var parts = e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(Item).ToList() : [Item(e)];
        if (parts.Count == 0 || parts.Any(p => p is null))
        {
            errors.Add(new("expectStatus", "must be a string like \"200-299,404\", a status code, or an array of them"));
            return null;
        }
        return string.Join(",", parts);
    }
}
