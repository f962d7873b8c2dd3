using Heck.Origins;
using Heck.Silo.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// Reads the origins file (<c>Heck:OriginsFile</c>): YAML with the API's field names,
/// <code>
/// origins:
///   - id: web
///     url: https://example.com/health
///     intervalMs: 5000
/// </code>
/// Every entry is validated before the silo starts; any error names the entry and the field.
/// </summary>
public static class OriginsFileLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build(); // unknown fields are errors (the default), so typos are caught

    public static IReadOnlyList<OriginSpec> Load(string path)
    {
        OriginsFileModel? model;
        try
        {
            model = Yaml.Deserialize<OriginsFileModel>(File.ReadAllText(path));
        }
        catch (YamlException ex)
        {
            var detail = ex.InnerException?.Message ?? ex.Message;
            throw new HeckConfigurationException([$"Heck:OriginsFile {path}: line {ex.Start.Line}, column {ex.Start.Column}: {detail}"]);
        }
        catch (IOException ex)
        {
            throw new HeckConfigurationException([$"Heck:OriginsFile {path}: cannot be read: {ex.Message}"]);
        }

        var errors = new List<string>();
        var specs = new List<OriginSpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = model?.Origins ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var name = $"Heck:OriginsFile {path}: entry {i + 1}" + (entry?.Id is { } id ? $" (id '{id}')" : "");
            if (entry is null)
            {
                errors.Add($"{name}: is empty");
                continue;
            }
            if (entry.Id is not null && !seen.Add(entry.Id))
                errors.Add($"{name}: id: appears more than once in the file");
            var fieldErrors = OriginValidator.Validate(entry.Id, entry, out var spec);
            errors.AddRange(fieldErrors.Select(e => $"{name}: {e.Field}: {e.Message}"));
            if (spec is not null) specs.Add(spec);
        }
        if (errors.Count > 0) throw new HeckConfigurationException(errors);
        return specs;
    }

    private sealed class OriginsFileModel
    {
        public List<OriginInput?>? Origins { get; set; }
    }
}
