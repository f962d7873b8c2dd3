namespace Heck.Origins;

/// <summary>
/// A validated origin: what to probe, how often, and what counts as a success.
/// Only <see cref="OriginValidator"/> creates one from user input, so every instance is valid.
/// </summary>
[GenerateSerializer, Alias("heck.OriginSpec"), Immutable]
public sealed record OriginSpec
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>Absolute <c>http://</c>, <c>https://</c> or <c>tcp://host:port</c> target.</summary>
    [Id(1)] public required string Url { get; init; }
    [Id(2)] public int IntervalMs { get; init; } = OriginDefaults.IntervalMs;
    [Id(3)] public int TimeoutMs { get; init; } = OriginDefaults.TimeoutMs(OriginDefaults.IntervalMs);
    /// <summary>GET or HEAD for HTTP(S) origins; empty for TCP origins.</summary>
    [Id(4)] public string Method { get; init; } = "GET";
    /// <summary>Normalised status expectation, e.g. <c>200-399</c> or <c>200,204,300-308</c>; empty for TCP.</summary>
    [Id(5)] public string ExpectStatus { get; init; } = OriginDefaults.ExpectStatus;
    [Id(6)] public string? BodyContains { get; init; }
    [Id(7)] public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>A successful probe slower than this makes the origin <c>degraded</c>; null disables it.</summary>
    [Id(8)] public int? DegradedLatencyMs { get; init; }
    [Id(9)] public int HealthyThreshold { get; init; } = OriginDefaults.HealthyThreshold;
    [Id(10)] public int UnhealthyThreshold { get; init; } = OriginDefaults.UnhealthyThreshold;
    /// <summary>
    /// HTTP(S) only: probe over pooled keep-alive connections. Off by default: each probe opens a
    /// new connection, as load-balancer checks do, so a dead listener, a full accept queue, a
    /// rotated certificate or a DNS change shows at the next probe.
    /// </summary>
    [Id(11)] public bool ReuseConnection { get; init; }

    public OriginKind Kind => Url.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase) ? OriginKind.Tcp : OriginKind.Http;

    public bool Equals(OriginSpec? other) =>
        other is not null && Id == other.Id && Url == other.Url && IntervalMs == other.IntervalMs &&
        TimeoutMs == other.TimeoutMs && Method == other.Method && ExpectStatus == other.ExpectStatus &&
        BodyContains == other.BodyContains && DegradedLatencyMs == other.DegradedLatencyMs &&
        HealthyThreshold == other.HealthyThreshold && UnhealthyThreshold == other.UnhealthyThreshold &&
        ReuseConnection == other.ReuseConnection &&
        Headers.Count == other.Headers.Count &&
        Headers.All(h => other.Headers.TryGetValue(h.Key, out var v) && v == h.Value);

    public override int GetHashCode() => HashCode.Combine(Id, Url, IntervalMs, TimeoutMs, Method, ExpectStatus);
}

public enum OriginKind { Http, Tcp }

public static class OriginDefaults
{
    public const int IntervalMs = 10_000;
    public const int MinIntervalMs = 100;
    public const int MaxIntervalMs = 86_400_000;
    public const string ExpectStatus = "200-399";
    public const int HealthyThreshold = 2;
    public const int UnhealthyThreshold = 3;
    public const int MaxThreshold = 100;
    public const int MaxHeaders = 32;
    public const int MaxBodyContainsLength = 1024;

    /// <summary>Default timeout: min(2000, interval/2), so a probe always ends before the next is due.</summary>
    public static int TimeoutMs(int intervalMs) => Math.Max(1, Math.Min(2000, intervalMs / 2));
}
