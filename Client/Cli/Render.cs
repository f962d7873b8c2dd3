using System.Globalization;
using Heck.Api;
using Heck.Health;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary>How the CLI shows values to people. Every user-supplied string is escaped before it meets markup.</summary>
internal static class Render
{
    public const string None = "-";

    public static string Status(HealthStatus status) => status.ToString().ToLowerInvariant();

    public static string StatusMarkup(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "[green]healthy[/]",
        HealthStatus.Degraded => "[yellow]degraded[/]",
        HealthStatus.Unhealthy => "[red]unhealthy[/]",
        _ => "[grey]unknown[/]",
    };

    /// <summary>
    /// An origin's status as read: a stale verdict says so, with the age of the last observation:
    /// <c>unknown (stale, last seen 42 s ago)</c>.
    /// </summary>
    public static string HealthMarkup(HealthDocument health) =>
        health.Stale ? $"{StatusMarkup(health.Status)} [grey](stale, last seen {Age(health.AgeMs)} ago)[/]" : StatusMarkup(health.Status);

    /// <summary>A duration in the largest whole unit that keeps it readable: <c>900 ms</c>, <c>42 s</c>, <c>7 min</c>, <c>3 h</c>, <c>2 d</c>.</summary>
    public static string Age(long? ms) => ms switch
    {
        null => "?",
        < 1000 => $"{ms} ms",
        < 120_000 => $"{ms / 1000} s",
        < 7_200_000 => $"{ms / 60_000} min",
        < 172_800_000 => $"{ms / 3_600_000} h",
        _ => $"{ms / 86_400_000} d",
    };

    /// <summary>UTC, to the second: <c>2025-01-31 12:00:00Z</c>.</summary>
    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : None;

    /// <summary>UTC, to the millisecond, for event lines: <c>2025-01-31T12:00:00.123Z</c>.</summary>
    public static string PreciseTime(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Latency(double? ms) =>
        ms is { } l ? l.ToString("0.0", CultureInfo.InvariantCulture) + " ms" : None;

    public static string Text(string? value) => string.IsNullOrEmpty(value) ? None : Markup.Escape(value);

    /// <summary>An origin's spec and health as a two-column table.</summary>
    public static Table Details(OriginDocument s)
    {
        var h = s.Health;
        var table = new Table().Border(TableBorder.Rounded).HideHeaders()
            .AddColumn(new TableColumn("field").NoWrap()).AddColumn("value");
        void Row(string name, string markup) => table.AddRow(new Markup(name), new Markup(markup));

        Row("id", Markup.Escape(s.Id));
        Row("url", Markup.Escape(s.Url));
        Row("status", HealthMarkup(h));
        Row("since", Time(h.Since));
        Row("last probe", Time(h.LastProbeAt));
        Row("last latency", Latency(h.LastLatencyMs));
        Row("last status code", h.LastStatusCode?.ToString(CultureInfo.InvariantCulture) ?? None);
        Row("last error", Text(h.LastError));
        Row("owner", Text(h.Owner));
        Row("consecutive", $"{h.ConsecutiveSuccesses} successes, {h.ConsecutiveFailures} failures");
        Row("interval", $"{s.IntervalMs} ms");
        Row("timeout", $"{s.TimeoutMs} ms");
        if (s.Method is not null)
        {
            Row("method", Markup.Escape(s.Method));
            Row("expect status", Text(s.ExpectStatus));
            Row("body contains", Text(s.BodyContains));
            Row("reuse connection", s.ReuseConnection == true ? "yes" : "no (a new connection per probe)");
            var headers = s.Headers ?? new Dictionary<string, string>();
            Row("headers", headers.Count == 0 ? None
                : string.Join("\n", headers.OrderBy(x => x.Key, StringComparer.OrdinalIgnoreCase).Select(x => Markup.Escape($"{x.Key}: {x.Value}"))));
        }
        Row("degraded latency", s.DegradedLatencyMs is { } d ? $"{d} ms" : None);
        Row("thresholds", $"healthy after {s.HealthyThreshold}, unhealthy after {s.UnhealthyThreshold}");
        return table;
    }
}
