using Heck.Health;
using Heck.Origins;

namespace Heck.Grains.Metrics;

/// <summary>
/// The labels and values of the per-origin series, named after blackbox_exporter's <c>probe_*</c> so its dashboards
/// port easily: <c>origin</c>, <c>kind</c> (http, https or tcp) and <c>silo</c> (the owner that probed).
/// </summary>
public static class OriginSeries
{
    public const string OriginLabel = "origin";
    public const string KindLabel = "kind";
    public const string SiloLabel = "silo";
    public const string StatusLabel = "status";

    /// <summary>Every status, in the order <c>heck_origin_status</c> reports them.</summary>
    public static IReadOnlyList<HealthStatus> Statuses { get; } = Enum.GetValues<HealthStatus>();

    /// <summary>The <c>kind</c> label: the URL's scheme, lower case (a spec only ever has http, https or tcp).</summary>
    public static string Kind(OriginSpec spec)
    {
        var colon = spec.Url.IndexOf(':');
        return colon <= 0 ? "unknown" : spec.Url[..colon].ToLowerInvariant();
    }

    /// <summary>The <c>status</c> label of <paramref name="status"/> (as the API spells it).</summary>
    public static string StatusName(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        HealthStatus.Unhealthy => "unhealthy",
        _ => "unknown",
    };

    /// <summary>One-hot: 1 for <paramref name="status"/>, 0 for every other status, so each status has a series to alert on.</summary>
    public static IEnumerable<(string Status, int Value)> OneHot(HealthStatus status) =>
        Statuses.Select(s => (StatusName(s), s == status ? 1 : 0));

    /// <summary>The labels every per-origin series carries.</summary>
    public static KeyValuePair<string, object?>[] Labels(string origin, string kind, string silo) =>
        [new(OriginLabel, origin), new(KindLabel, kind), new(SiloLabel, silo)];
}
