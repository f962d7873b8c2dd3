using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Heck.Tests.Deployment;

/// <summary>
/// Just enough of a Compose file for the deployment tests: services with their profiles, image, build,
/// environment, ports, networks, dependencies and health check, with YAML anchors and merge keys
/// (<c>&lt;&lt;: *x</c>) applied and variables interpolated the way Compose does.
/// </summary>
internal sealed class ComposeFile
{
    private ComposeFile(string directory, YamlMappingNode root, ComposeInterpolation interpolation)
    {
        Directory = directory;
        Root = root;
        Interpolation = interpolation;
        Services = Mapping(root, "services")?.Children
            .ToDictionary(c => Scalar(c.Key), c => new ComposeService(Scalar(c.Key), (YamlMappingNode)c.Value, interpolation))
            ?? throw new InvalidDataException("the compose file has no services");
    }

    /// <summary>The folder of the compose file: relative paths in it (build context) start here.</summary>
    public string Directory { get; }

    public YamlMappingNode Root { get; }

    public ComposeInterpolation Interpolation { get; }

    public IReadOnlyDictionary<string, ComposeService> Services { get; }

    /// <summary>Parses <paramref name="text"/>; <paramref name="variables"/> stand for the user's shell and .env file.</summary>
    public static ComposeFile Parse(string text, string directory, IReadOnlyDictionary<string, string> variables)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text)); // aliases (*x) resolve to their anchored nodes
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidDataException("a compose file is one YAML mapping");
        return new ComposeFile(directory, ApplyMergeKeys(root), new ComposeInterpolation(variables));
    }

    // YAML merge keys as Compose applies them: "<<: *x" (or "<<: [*x, *y]") adds the keys of x that the mapping
    // does not set itself; with several sources the first one wins.
    private static YamlMappingNode ApplyMergeKeys(YamlMappingNode mapping)
    {
        var merge = new YamlScalarNode("<<");
        var result = new YamlMappingNode();
        foreach (var (key, value) in mapping.Children.Where(c => !c.Key.Equals(merge)))
            result.Add(key, value switch
            {
                YamlMappingNode m => ApplyMergeKeys(m),
                YamlSequenceNode s => new YamlSequenceNode(s.Children.Select(c => c is YamlMappingNode m ? ApplyMergeKeys(m) : c)),
                _ => value,
            });
        if (mapping.Children.TryGetValue(merge, out var sources))
        {
            foreach (var source in sources is YamlSequenceNode list ? list.Children : [sources])
            {
                if (source is not YamlMappingNode from) throw new InvalidDataException($"'<<' at {sources.Start} must name mappings");
                foreach (var (key, value) in ApplyMergeKeys(from).Children)
                    if (!result.Children.ContainsKey(key)) result.Add(key, value);
            }
        }
        return result;
    }

    public static ComposeFile Load(string path, IReadOnlyDictionary<string, string> variables) =>
        Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!, variables);

    /// <summary>The node at a path such as networks → heck → ipam (merge keys applied, not interpolated).</summary>
    public YamlNode? Find(params string[] path)
    {
        YamlNode? node = Root;
        foreach (var key in path)
            node = node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
        return node;
    }

    internal static YamlMappingNode? Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;

    internal static string Scalar(YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new InvalidDataException($"expected a scalar at {node.Start}");
}

/// <summary>One entry of <c>services:</c>.</summary>
internal sealed class ComposeService(string name, YamlMappingNode node, ComposeInterpolation interpolation)
{
    public string Name { get; } = name;

    public YamlMappingNode Node { get; } = node;

    public IReadOnlyList<string> Profiles => Strings("profiles");

    public string? Image => Value("image");

    public string? BuildContext => Node.Children.TryGetValue(new YamlScalarNode("build"), out var build)
        ? build is YamlScalarNode ? Value("build") : Nested(build, "context")
        : null;

    public string? BuildDockerfile => Node.Children.TryGetValue(new YamlScalarNode("build"), out var build) && build is YamlMappingNode
        ? Nested(build, "dockerfile") ?? "Dockerfile"
        : BuildContext is null ? null : "Dockerfile";

    public string? Restart => Value("restart");

    public IReadOnlyList<string> Command => Node.Children.TryGetValue(new YamlScalarNode("command"), out var command)
        ? command is YamlSequenceNode ? Strings("command") : Value("command")!.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        : [];

    public YamlMappingNode? Healthcheck => ComposeFile.Mapping(Node, "healthcheck");

    /// <summary>The environment in file order, interpolated. A key without a value takes it from the shell (a variable).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment
    {
        get
        {
            var result = new List<KeyValuePair<string, string>>();
            if (!Node.Children.TryGetValue(new YamlScalarNode("environment"), out var environment)) return result;
            switch (environment)
            {
                case YamlMappingNode map:
                    foreach (var (key, value) in map.Children)
                    {
                        var name = ComposeFile.Scalar(key);
                        result.Add(new(name, value is YamlScalarNode { Value: { } v } && !IsNull(value)
                            ? interpolation.Interpolate(v)
                            : interpolation.FromShell(name)));
                    }
                    break;
                case YamlSequenceNode list:
                    foreach (var item in list.Children.Select(ComposeFile.Scalar))
                    {
                        var equals = item.IndexOf('=', StringComparison.Ordinal);
                        result.Add(equals < 0
                            ? new(item, interpolation.FromShell(item))
                            : new(item[..equals], interpolation.Interpolate(item[(equals + 1)..])));
                    }
                    break;
                default:
                    throw new InvalidDataException($"{Name}: environment must be a mapping or a list");
            }
            return result;
        }
    }

    /// <summary>Short-syntax port mappings (<c>[ip:]host:container[/protocol]</c>) and long-syntax ones.</summary>
    public IReadOnlyList<PortMapping> Ports
    {
        get
        {
            if (!Node.Children.TryGetValue(new YamlScalarNode("ports"), out var ports)) return [];
            return ((YamlSequenceNode)ports).Children.Select(p => p is YamlMappingNode m
                ? new PortMapping(
                    Nested(m, "host_ip"),
                    Nested(m, "published") is { } published ? int.Parse(published, System.Globalization.CultureInfo.InvariantCulture) : null,
                    int.Parse(Nested(m, "target")!, System.Globalization.CultureInfo.InvariantCulture),
                    Nested(m, "protocol") ?? "tcp")
                : PortMapping.Parse(interpolation.Interpolate(ComposeFile.Scalar(p)))).ToList();
        }
    }

    /// <summary>Networks this service joins, with its fixed IPv4 address on each (null: assigned by Docker).</summary>
    public IReadOnlyDictionary<string, string?> Networks
    {
        get
        {
            if (!Node.Children.TryGetValue(new YamlScalarNode("networks"), out var networks)) return new Dictionary<string, string?>();
            return networks switch
            {
                YamlSequenceNode list => list.Children.ToDictionary(ComposeFile.Scalar, _ => (string?)null),
                YamlMappingNode map => map.Children.ToDictionary(
                    c => ComposeFile.Scalar(c.Key),
                    c => c.Value is YamlMappingNode settings ? Nested(settings, "ipv4_address") : null),
                _ => throw new InvalidDataException($"{Name}: networks must be a mapping or a list"),
            };
        }
    }

    /// <summary>Services this one waits for, with the condition (<c>service_started</c> for the list form).</summary>
    public IReadOnlyDictionary<string, string> DependsOn
    {
        get
        {
            if (!Node.Children.TryGetValue(new YamlScalarNode("depends_on"), out var depends)) return new Dictionary<string, string>();
            return depends switch
            {
                YamlSequenceNode list => list.Children.ToDictionary(ComposeFile.Scalar, _ => "service_started"),
                YamlMappingNode map => map.Children.ToDictionary(
                    c => ComposeFile.Scalar(c.Key),
                    c => c.Value is YamlMappingNode settings ? Nested(settings, "condition") ?? "service_started" : "service_started"),
                _ => throw new InvalidDataException($"{Name}: depends_on must be a mapping or a list"),
            };
        }
    }

    private string? Value(string key) =>
        Node.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value)
            ? interpolation.Interpolate(ComposeFile.Scalar(value))
            : null;

    private string? Nested(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value)
            ? interpolation.Interpolate(ComposeFile.Scalar(value))
            : null;

    private IReadOnlyList<string> Strings(string key) =>
        Node.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? ((YamlSequenceNode)value).Children.Select(c => interpolation.Interpolate(ComposeFile.Scalar(c))).ToList()
            : [];

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };
}

internal sealed record PortMapping(string? HostIp, int? HostPort, int ContainerPort, string Protocol)
{
    public static PortMapping Parse(string text)
    {
        var protocol = "tcp";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            protocol = text[(slash + 1)..];
            text = text[..slash];
        }
        var parts = text.Split(':');
        static int Port(string p) => int.Parse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
        return parts.Length switch
        {
            1 => new(null, null, Port(parts[0]), protocol),
            2 => new(null, Port(parts[0]), Port(parts[1]), protocol),
            3 => new(parts[0], Port(parts[1]), Port(parts[2]), protocol),
            _ => throw new FormatException($"'{text}' is not [ip:]host:container (port ranges and IPv6 are not used here)"),
        };
    }
}

/// <summary>
/// Compose's variable interpolation: <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c>, <c>${VAR-default}</c>,
/// <c>${VAR:?error}</c>, <c>${VAR?error}</c>, <c>${VAR:+alt}</c>, <c>${VAR+alt}</c>, nested, and <c>$$</c> for a
/// literal dollar. Unlike Compose, which substitutes an empty string with a warning, a variable that is neither set
/// nor given a default is an error here: every value a silo gets must be known.
/// </summary>
internal sealed class ComposeInterpolation(IReadOnlyDictionary<string, string> variables)
{
    /// <summary>An environment entry without a value: Compose passes the shell's variable of that name.</summary>
    public string FromShell(string name) =>
        variables.TryGetValue(name, out var value)
            ? value
            : throw new ComposeVariableException(name, $"environment entry {name} has no value and the variable {name} is not set");

    public string Interpolate(string text)
    {
        var output = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '$' || i + 1 >= text.Length)
            {
                output.Append(text[i++]);
                continue;
            }
            var next = text[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i += 2;
            }
            else if (next == '{')
            {
                var close = ClosingBrace(text, i + 2);
                output.Append(Braced(text[(i + 2)..close]));
                i = close + 1;
            }
            else if (IsNameStart(next))
            {
                var end = NameEnd(text, i + 1);
                var name = text[(i + 1)..end];
                output.Append(Lookup(name) ?? throw Unset(name));
                i = end;
            }
            else
            {
                output.Append(text[i++]);
            }
        }
        return output.ToString();
    }

    // The inside of "${...}": NAME, or NAME, an operator and an operand. The operand is expanded only when used.
    private string Braced(string inside)
    {
        var end = inside.Length > 0 && IsNameStart(inside[0]) ? NameEnd(inside, 0) : throw new FormatException($"bad variable name in '${{{inside}}}'");
        var name = inside[..end];
        var value = Lookup(name);
        if (end == inside.Length) return value ?? throw Unset(name);
        var colon = inside[end] == ':';
        var opAt = colon ? end + 1 : end;
        var op = opAt < inside.Length ? inside[opAt] : '\0';
        if (op is not ('-' or '?' or '+')) throw new FormatException($"unsupported expression '${{{inside}}}'");
        var operand = inside[(opAt + 1)..];
        var present = colon ? !string.IsNullOrEmpty(value) : value is not null;
        return op switch
        {
            '-' => present ? value! : Interpolate(operand),
            '+' => present ? Interpolate(operand) : "",
            _ => present ? value! : throw new ComposeVariableException(name, $"required variable {name} is not set: {operand}"),
        };
    }

    // Index of the "}" that closes the "${" whose inside starts at from; nested "${...}" and "$$" are skipped.
    private static int ClosingBrace(string text, int from)
    {
        var depth = 0;
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] is '$' or '{')
            {
                if (text[i + 1] == '{') depth++;
                i++;
            }
            else if (text[i] == '}' && depth-- == 0)
            {
                return i;
            }
        }
        throw new FormatException($"unterminated ${{ in '{text}'");
    }

    private string? Lookup(string name) => variables.TryGetValue(name, out var value) ? value : null;

    private static ComposeVariableException Unset(string name) =>
        new(name, $"variable {name} is not set and has no default (give it a test value or a default)");

    private static int NameEnd(string text, int i)
    {
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
        return i;
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';
}

internal sealed class ComposeVariableException(string variable, string message) : Exception(message)
{
    public string Variable { get; } = variable;
}
