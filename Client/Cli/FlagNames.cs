using Heck.Origins;

namespace Heck.Client.Cli;

/// <summary>The CLI's names for the API's fields, so that an error names what the user typed: <c>--interval-ms</c>, not <c>intervalMs</c>.</summary>
internal static class FlagNames
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["intervalMs"] = "--interval-ms",
        ["timeoutMs"] = "--timeout-ms",
        ["method"] = "--method",
        ["expectStatus"] = "--expect-status",
        ["bodyContains"] = "--body-contains",
        ["headers"] = "--header",
        ["degradedLatencyMs"] = "--degraded-latency-ms",
        ["healthyThreshold"] = "--healthy-threshold",
        ["unhealthyThreshold"] = "--unhealthy-threshold",
        ["reuseConnection"] = "--reuse-connection",
    };

    /// <summary>The flag for an API field (<c>headers.Host</c> is <c>--header Host</c>); the field itself when no flag sets it (<c>url</c>, <c>id</c>).</summary>
    public static string For(string field)
    {
        if (Flags.TryGetValue(field, out var flag)) return flag;
        if (field.StartsWith("headers.", StringComparison.Ordinal)) return "--header " + field["headers.".Length..];
        return field;
    }

    public static FieldError ForFlags(FieldError error) => error with { Field = For(error.Field) };
}
