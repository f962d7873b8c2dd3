using Heck.Origins;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Heck.Client.Cli;

/// <summary>
/// The file <c>heck apply -f</c> reads: the shape of the silo's origins file (<c>origins:</c>, a list of entries
/// with <c>id</c> and the PUT body's fields). Unlike the silo, which skips a bad entry, apply refuses the whole
/// file when any entry is bad, so that nothing half-applies.
/// </summary>
internal static class OriginsYaml
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();

    /// <summary>The file's origins, or the errors (each <c>entry N (id): field: message</c>) when any is bad.</summary>
    public static IReadOnlyList<OriginSpec> Parse(string text, List<string> errors)
    {
        OriginsDocument? document;
        try
        {
            document = Yaml.Deserialize<OriginsDocument?>(text);
        }
        catch (YamlException ex)
        {
            errors.Add($"line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}");
            return [];
        }
        var specs = new List<OriginSpec>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = document?.Origins ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? new OriginInput();
            var where = $"entry {i + 1}" + (entry.Id is { } id ? $" ({id})" : "");
            if (entry.Id is null)
            {
                errors.Add($"{where}: id: is required");
                continue;
            }
            if (!seen.TryAdd(entry.Id, i + 1))
            {
                errors.Add($"{where}: id: appears more than once in the file (first in entry {seen[entry.Id]})");
                continue;
            }
            var fieldErrors = OriginValidator.Validate(entry.Id, entry, out var spec);
            foreach (var e in fieldErrors) errors.Add($"{where}: {e}");
            if (spec is not null) specs.Add(spec);
        }
        return specs;
    }

    private sealed class OriginsDocument
    {
        public List<OriginInput?>? Origins { get; set; }
    }
}
