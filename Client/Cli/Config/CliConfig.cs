using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Heck.Client.Cli;

/// <summary>
/// The CLI's config file, kubectl-like: named contexts (each an API URL) and the current one.
/// <c>$HECK_CONFIG</c>, else <c>$XDG_CONFIG_HOME/heck/config.yaml</c>, else <c>~/.config/heck/config.yaml</c>.
/// A missing file is an empty config; one that does not parse is an error that names it.
/// </summary>
internal sealed class CliConfig
{
    public const string ConfigVariable = "HECK_CONFIG";

    public string Path { get; private init; } = "";
    public Dictionary<string, CliContextEntry> Contexts { get; private init; } = new(StringComparer.Ordinal);
    public string? CurrentContext { get; set; }
    public string? Error { get; private init; }

    public CliContextEntry? Current => CurrentContext is { } name && Contexts.TryGetValue(name, out var c) ? c : null;

    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable(ConfigVariable) is { Length: > 0 } path) return path;
        var root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return System.IO.Path.Combine(root, "heck", "config.yaml");
    }

    public static CliConfig Load(string path)
    {
        if (!File.Exists(path)) return new CliConfig { Path = path };
        try
        {
            var file = Deserializer.Deserialize<ConfigFile?>(File.ReadAllText(path)) ?? new ConfigFile();
            var contexts = new Dictionary<string, CliContextEntry>(file.Contexts ?? [], StringComparer.Ordinal);
            var config = new CliConfig { Path = path, Contexts = contexts, CurrentContext = file.CurrentContext };
            if (file.CurrentContext is { } current && !contexts.ContainsKey(current))
                return new CliConfig { Path = path, Error = $"{path}: current-context '{current}' is not one of its contexts ({string.Join(", ", contexts.Keys)})" };
            return config;
        }
        catch (YamlException ex)
        {
            return new CliConfig { Path = path, Error = $"{path}: line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}" };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new CliConfig { Path = path, Error = $"{path} cannot be read: {ex.Message}" };
        }
    }

    public void Save()
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
        var file = new ConfigFile { CurrentContext = CurrentContext, Contexts = Contexts.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary() };
        File.WriteAllText(Path, Serializer.Serialize(file));
    }

    private static readonly IDeserializer Deserializer = new DeserializerBuilder().WithNamingConvention(HyphenatedNamingConvention.Instance).Build();
    private static readonly ISerializer Serializer = new SerializerBuilder().WithNamingConvention(HyphenatedNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build();

    private sealed class ConfigFile
    {
        public Dictionary<string, CliContextEntry>? Contexts { get; set; }
        public string? CurrentContext { get; set; }
    }
}

/// <summary>One context of the config file: where its cluster's API is, and the token to send it (or the file holding it).</summary>
internal sealed class CliContextEntry
{
    public string? Api { get; set; }
    public string? Token { get; set; }
    public string? TokenFile { get; set; }
}
