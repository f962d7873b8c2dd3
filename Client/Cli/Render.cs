using System.Globalization;
using Heck.Health;
using Heck.Origins;
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
    public static Table Details(OriginView view)
    {
        var s = view.Spec;
        var h = view.Health;
        var table = new Table().Border(TableBorder.Rounded).HideHeaders()
            .AddColumn(new TableColumn("field").NoWrap()).AddColumn("value");
        void Row(string name, string markup) => table.AddRow(new Markup(name), new Markup(markup));

        Row("id", Markup.Escape(s.Id));
        Row("url", Markup.Escape(s.Url));
        Row("status", StatusMarkup(h.Status));
        Row("since", Time(h.Since));
        Row("last probe", Time(h.LastProbeAt));
        Row("last latency", Latency(h.LastLatencyMs));
        Row("last status code", h.LastStatusCode?.ToString(CultureInfo.InvariantCulture) ?? None);
        Row("last error", Text(h.LastError));
        Row("owner", Text(h.Owner));
        Row("consecutive", $"{h.ConsecutiveSuccesses} successes, {h.ConsecutiveFailures} failures");
        Row("interval", $"{s.IntervalMs} ms");
        Row("timeout", $"{s.TimeoutMs} ms");
        if (s.Kind == OriginKind.Http)
        {
            Row("method", Markup.Escape(s.Method));
            Row("expect status", Markup.Escape(s.ExpectStatus));
            Row("body contains", Text(s.BodyContains));
            Row("headers", s.Headers.Count == 0 ? None
                : string.Join("\n", s.Headers.OrderBy(x => x.Key, StringComparer.OrdinalIgnoreCase).Select(x => Markup.Escape($"{x.Key}: {x.Value}"))));
        }
        Row("degraded latency", s.DegradedLatencyMs is { } d ? $"{d} ms" : None);
        Row("thresholds", $"healthy after {s.HealthyThreshold}, unhealthy after {s.UnhealthyThreshold}");
        return table;
    }
}
