using Heck.Health;
using Heck.Origins;
using Microsoft.Extensions.Primitives;

namespace Heck.Silo.Api;

/// <summary>
/// <c>?status=</c> of the origin list: one status, or several comma separated (or repeated), meaning
/// any of them. Parsed by name only: <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/> would
/// read <c>healthy,degraded</c> as the two values OR-ed together, which is <c>unhealthy</c>.
/// </summary>
public static class StatusQuery
{
    private static readonly HealthStatus[] All = Enum.GetValues<HealthStatus>();

    private static string Names => string.Join(", ", All.Select(Name));

    private static string Name(HealthStatus s) => s.ToString().ToLowerInvariant();

    /// <summary>The statuses asked for; null when the query gives none (every origin), or with an error.</summary>
    public static IReadOnlySet<HealthStatus>? Parse(StringValues raw, out FieldError? error)
    {
        error = null;
        if (raw.Count == 0) return null;
        var wanted = new HashSet<HealthStatus>();
        foreach (var item in raw.SelectMany(v => (v ?? "").Split(',')))
        {
            var name = item.Trim();
            var match = All.Where(s => Name(s).Equals(name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (match.Count == 0)
            {
                error = new("status", $"must be {Names}, or several of them comma separated (was \"{raw}\")");
                return null;
            }
            wanted.Add(match[0]);
        }
        return wanted;
    }
}
