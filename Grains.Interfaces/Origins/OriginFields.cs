namespace Heck.Origins;

/// <summary>What kind of value a field of <see cref="OriginInput"/> holds, as the user writes it.</summary>
public enum OriginFieldKind
{
    Text,
    Integer,
    Boolean,
    Headers,
    ExpectStatus,
}

/// <summary>
/// The fields a user may write for an origin (JSON body, origins file), with their kinds and the
/// messages for the mistakes made before <see cref="OriginValidator"/> sees a value: an unknown or
/// repeated field, a value of the wrong kind. Both readers use these, so they teach the same words.
/// </summary>
public static class OriginFields
{
    private static readonly (string Name, OriginFieldKind Kind)[] Known =
    [
        ("id", OriginFieldKind.Text),
        ("url", OriginFieldKind.Text),
        ("intervalMs", OriginFieldKind.Integer),
        ("timeoutMs", OriginFieldKind.Integer),
        ("method", OriginFieldKind.Text),
        ("expectStatus", OriginFieldKind.ExpectStatus),
        ("bodyContains", OriginFieldKind.Text),
        ("headers", OriginFieldKind.Headers),
        ("degradedLatencyMs", OriginFieldKind.Integer),
        ("healthyThreshold", OriginFieldKind.Integer),
        ("unhealthyThreshold", OriginFieldKind.Integer),
        ("reuseConnection", OriginFieldKind.Boolean),
    ];

    public static IEnumerable<string> Names => Known.Select(k => k.Name);

    /// <summary>The kind of field <paramref name="name"/> (exact spelling), or null when there is no such field.</summary>
    public static OriginFieldKind? KindOf(string name)
    {
        foreach (var (known, kind) in Known)
            if (known == name) return kind;
        return null;
    }

    public const string AppearsTwice = "appears twice";

    public static string UnknownField(string name) =>
        Closest(name) is { } near ? $"unknown field; did you mean {near}?" : "unknown field";

    /// <summary>
    /// The known field a misspelt <paramref name="name"/> most likely meant: the same letters in another
    /// case, a unique field it begins (<c>interval</c>, <c>healthy</c>), or one within two edits (one per three letters); else null.
    /// </summary>
    public static string? Closest(string name)
    {
        if (name.Length == 0) return null;
        foreach (var (known, _) in Known)
            if (known.Equals(name, StringComparison.OrdinalIgnoreCase)) return known;
        if (name.Length >= 4)
        {
            var prefixed = Known.Where(k => k.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (prefixed.Count == 1) return prefixed[0].Name;
        }
        string? best = null;
        int bestDistance = int.MaxValue, ties = 0;
        foreach (var (known, _) in Known)
        {
            var d = Distance(name.ToLowerInvariant(), known.ToLowerInvariant(), limit: 3);
            if (d < bestDistance) (best, bestDistance, ties) = (known, d, 0);
            else if (d == bestDistance) ties++;
        }
        // Short names are near everything: allow one edit per three letters, at most two.
        return bestDistance <= Math.Min(2, name.Length / 3) && ties == 0 ? best : null;
    }

    /// <summary>What a value of <paramref name="kind"/> must be, for "must be …" messages.</summary>
    public static string Expected(OriginFieldKind kind) => kind switch
    {
        OriginFieldKind.Text => "a string",
        OriginFieldKind.Integer => "a number",
        OriginFieldKind.Boolean => "true or false",
        OriginFieldKind.Headers => "a map of header names to values",
        _ => ExpectStatusJsonConverter.Error["must be ".Length..],
    };

    /// <summary><c>must be a number (was the string "500")</c>: <paramref name="was"/> describes the value in the user's notation.</summary>
    public static string WrongKind(OriginFieldKind kind, string was) => $"must be {Expected(kind)} (was {was})";

    public static string NotWhole(string was) => $"must be a whole number (was {was})";

    /// <summary>Sets field <paramref name="name"/> of <paramref name="input"/> to a value already of its kind.</summary>
    public static void Set(OriginInput input, string name, object? value)
    {
        switch (name)
        {
            case "id": input.Id = (string?)value; break;
            case "url": input.Url = (string?)value; break;
            case "intervalMs": input.IntervalMs = (int?)value; break;
            case "timeoutMs": input.TimeoutMs = (int?)value; break;
            case "method": input.Method = (string?)value; break;
            case "expectStatus": input.ExpectStatus = (string?)value; break;
            case "bodyContains": input.BodyContains = (string?)value; break;
            case "headers": input.Headers = (Dictionary<string, string>?)value; break;
            case "degradedLatencyMs": input.DegradedLatencyMs = (int?)value; break;
            case "healthyThreshold": input.HealthyThreshold = (int?)value; break;
            case "unhealthyThreshold": input.UnhealthyThreshold = (int?)value; break;
            case "reuseConnection": input.ReuseConnection = (bool?)value; break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "not a field of OriginInput");
        }
    }

    /// <summary>Levenshtein distance, given up (returning <paramref name="limit"/>) once it reaches the limit.</summary>
    private static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) >= limit) return limit;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }
            if (rowMin >= limit) return limit;
            (previous, current) = (current, previous);
        }
        return Math.Min(previous[b.Length], limit);
    }
}
