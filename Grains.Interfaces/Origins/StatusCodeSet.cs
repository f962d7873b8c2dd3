namespace Heck.Origins;

/// <summary>A set of HTTP status codes written as codes and ranges: <c>200-299,304,400-404</c>.</summary>
public sealed class StatusCodeSet
{
    private readonly (int From, int To)[] _ranges;

    private StatusCodeSet((int From, int To)[] ranges) => _ranges = ranges;

    public static StatusCodeSet Default { get; } = Parse(OriginDefaults.ExpectStatus);

    public bool Contains(int code)
    {
        foreach (var (from, to) in _ranges)
            if (code >= from && code <= to) return true;
        return false;
    }

    /// <summary>The canonical text: ranges sorted, overlaps merged.</summary>
    public override string ToString() =>
        string.Join(",", _ranges.Select(r => r.From == r.To ? r.From.ToString() : $"{r.From}-{r.To}"));

    public static StatusCodeSet Parse(string text) =>
        TryParse(text, out var set, out var error) ? set! : throw new FormatException(error);

    public static bool TryParse(string? text, out StatusCodeSet? set, out string? error)
    {
        set = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "must list status codes or ranges, e.g. 200-399 or 200,204";
            return false;
        }
        var ranges = new List<(int From, int To)>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var dash = raw.IndexOf('-');
            var ok = dash < 0
                ? TryCode(raw, out var from) & TryCode(raw, out var to)
                : TryCode(raw[..dash].Trim(), out from) & TryCode(raw[(dash + 1)..].Trim(), out to);
            if (!ok)
            {
                error = $"'{raw}' is not a status code (100-599) or a range of them";
                return false;
            }
            if (from > to)
            {
                error = $"range '{raw}' ends before it starts";
                return false;
            }
            ranges.Add((from, to));
        }
        ranges.Sort();
        var merged = new List<(int From, int To)>();
        foreach (var r in ranges)
        {
            if (merged.Count > 0 && r.From <= merged[^1].To + 1)
                merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, r.To));
            else
                merged.Add(r);
        }
        set = new StatusCodeSet(merged.ToArray());
        return true;
    }

    private static bool TryCode(string s, out int code) =>
        int.TryParse(s, System.Globalization.NumberStyles.None, null, out code) && code is >= 100 and <= 599;
}
