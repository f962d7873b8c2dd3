using System.Globalization;
using System.Text.RegularExpressions;

namespace Heck.Tests.Metrics;

/// <summary>Samples of a Prometheus text exposition, enough to check names, labels and values.</summary>
internal static partial class Exposition
{
    internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex Line();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex Label();

    public static List<Sample> Parse(string text) =>
    [
        .. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => Line().Match(l)).Where(m => m.Success).Select(m => new Sample(
            m.Groups["name"].Value,
            Label().Matches(m.Groups["labels"].Value).ToDictionary(x => x.Groups["key"].Value, x => x.Groups["value"].Value),
            double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))),
    ];

    public static IEnumerable<Sample> Named(this IEnumerable<Sample> samples, string name) => samples.Where(s => s.Name == name);

    public static IEnumerable<Sample> Of(this IEnumerable<Sample> samples, string origin) =>
        samples.Where(s => s.Labels.TryGetValue("origin", out var o) && o == origin);
}
