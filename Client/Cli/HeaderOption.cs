using Heck.Origins;

namespace Heck.Client.Cli;

/// <summary>Turns repeated <c>--header "Name: value"</c> options into the origin's header map.</summary>
internal static class HeaderOption
{
    /// <summary>
    /// The headers, or null when none were given. A value without a colon, an empty name or a name
    /// given twice (names compare case-insensitively, as in HTTP) is reported in <paramref name="errors"/>;
    /// whether names and values are acceptable is <see cref="OriginValidator"/>'s call.
    /// </summary>
    public static Dictionary<string, string>? Parse(IReadOnlyList<string>? values, List<FieldError> errors)
    {
        if (values is null || values.Count == 0) return null;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in values)
        {
            var colon = raw.IndexOf(':');
            var name = colon < 0 ? "" : raw[..colon].Trim();
            if (colon < 0 || name.Length == 0)
            {
                errors.Add(new("headers", $"'{raw}' is not written as \"Name: value\""));
                continue;
            }
            if (!seen.Add(name))
            {
                errors.Add(new($"headers.{name}", "is given more than once"));
                continue;
            }
            headers[name] = raw[(colon + 1)..].Trim();
        }
        return headers;
    }
}
