using System.CommandLine;
using Heck.Client.Sdk;
using Heck.Origins;

namespace Heck.Client.Cli;

/// <summary>Options every command takes (they may come before or after the command's name).</summary>
internal sealed class GlobalOptions
{
    public const string GatewayVariable = "HECK_GATEWAY";
    public const string SeedsVariable = "HECK_SEEDS";
    public const string SwimKeysVariable = "HECK_SWIM_KEYS";
    public const string ClusterIdVariable = "HECK_CLUSTER_ID";
    public const string ApiVariable = "HECK_API";
    public const string TokenVariable = "HECK_TOKEN";
    public const string DefaultApi = "http://127.0.0.1:8080";
    public const int DefaultConnectTimeoutMs = 10_000;

    public Option<string?> Api { get; } = new("--api")
    {
        Description = $"The HTTP API of a silo. Default: ${ApiVariable}, else the current context of the config file (heck config), else {DefaultApi}",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"The API token, sent as 'Authorization: Bearer'. Default: ${TokenVariable} (which keeps it out of the process list), " +
            "else the current context's token or token-file when the API is the context's",
        HelpName = "token",
        Recursive = true,
    };

    public Option<string[]> Gateway { get; } = new("--gateway", "-g")
    {
        Description = $"Instead of --api: talk to a silo's Orleans client gateway, as host:port; repeat it (or separate with commas) for several. Default: ${GatewayVariable}, else 127.0.0.1:{GatewayAddress.DefaultPort}",
        HelpName = "host:port",
        Recursive = true,
    };

    public Option<string[]> Seed { get; } = new("--seed")
    {
        Description = $"A silo's SWIM endpoint as host:port (port default {SwimSeed.DefaultPort}) to find the cluster's gateways through, instead of --gateway; " +
            $"repeat it (or separate with commas) for several. Default: ${SeedsVariable}",
        HelpName = "host:port",
        Recursive = true,
    };

    public Option<string[]> SwimKey { get; } = new("--swim-key")
    {
        Description = "With --seed: a base64 SWIM key of the cluster (its Heck:Swim:Keys) when it encrypts SWIM traffic; " +
            $"repeat it (or separate with commas) for several. Default: ${SwimKeysVariable}, which keeps keys out of the process list",
        HelpName = "base64",
        Recursive = true,
    };

    public Option<string?> ClusterId { get; } = new("--cluster-id")
    {
        Description = $"The cluster's id. Default: ${ClusterIdVariable}, else heck",
        HelpName = "id",
        Recursive = true,
    };

    public Option<int?> ConnectTimeoutMs { get; } = CreateConnectTimeout();

    private static Option<int?> CreateConnectTimeout()
    {
        var option = IntOption.Create("--connect-timeout-ms", $"How long to wait for a connection to the API, or keep trying to reach a gateway (default {DefaultConnectTimeoutMs})", "ms");
        option.Recursive = true;
        return option;
    }

    public Option<string?> Output { get; } = CreateOutput();

    private static Option<string?> CreateOutput()
    {
        var option = new Option<string?>("--output", "-o")
        {
            Description = "json, yaml (the HTTP API's documents) or wide (a table with more columns); default: a table",
            HelpName = "format",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("json", "yaml", "wide", "table");
        return option;
    }

    /// <summary>The same as <c>-o json</c>, kept for scripts written before <c>-o</c>.</summary>
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "The same as -o json",
        Recursive = true,
    };

    /// <summary>The options every command takes, in the order the root's help lists them once.</summary>
    public IEnumerable<Option> All => [Api, Token, Output, Json, Gateway, Seed, SwimKey, ClusterId, ConnectTimeoutMs];

    public void AddTo(Command root)
    {
        foreach (var option in All)
        {
            // Listed once, under the root's help (see CliHelp), not again under every command.
            option.Hidden = true;
            root.Options.Add(option);
        }
    }

    /// <summary>Whether the command line (or the environment) asks for the Orleans gateway path rather than HTTP.</summary>
    public bool UsesGateway(ParseResult parse)
    {
        if (parse.GetValue(Api) is not null) return false;
        if (parse.GetValue(Gateway) is { Length: > 0 } || parse.GetValue(Seed) is { Length: > 0 }) return true;
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ApiVariable))) return false;
        return !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(GatewayVariable)) ||
               !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(SeedsVariable));
    }

    /// <summary>The HTTP API to use: <c>--api</c>, else <c>$HECK_API</c>, else the config file's current context, else the default.</summary>
    public Uri? ResolveApi(ParseResult parse, List<FieldError> errors)
    {
        if (parse.GetValue(Api) is { } api)
        {
            if (parse.GetValue(Gateway) is { Length: > 0 } || parse.GetValue(Seed) is { Length: > 0 })
                errors.Add(new("--api", "give either --api (HTTP) or --gateway/--seed (Orleans), not both"));
            return CheckApi("--api", api, errors);
        }
        if (Environment.GetEnvironmentVariable(ApiVariable) is { Length: > 0 } fromEnvironment)
            return CheckApi(ApiVariable, fromEnvironment, errors);
        var config = CliConfig.Load(CliConfig.DefaultPath());
        if (config.Error is { } error)
        {
            errors.Add(new("config", error));
            return null;
        }
        if (config.Current is { } context)
            return CheckApi($"context '{config.CurrentContext}' of {config.Path}", context.Api ?? "", errors);
        return new Uri(DefaultApi);
    }

    /// <summary>
    /// The token to send: <c>--token</c>, else <c>$HECK_TOKEN</c>, else the current context's <c>token</c> or
    /// <c>token-file</c>, but only when the API is the context's too: a context's token is never sent to another URL.
    /// </summary>
    public string? ResolveToken(ParseResult parse, List<FieldError> errors)
    {
        if (parse.GetValue(Token) is { } given) return CheckToken("--token", given, errors);
        if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment) return CheckToken(TokenVariable, fromEnvironment, errors);
        if (parse.GetValue(Api) is not null || Environment.GetEnvironmentVariable(ApiVariable) is { Length: > 0 }) return null;
        var config = CliConfig.Load(CliConfig.DefaultPath());
        if (config.Current is not { } context) return null;
        var source = $"context '{config.CurrentContext}' of {config.Path}";
        if (context.Token is { } token) return CheckToken(source, token, errors);
        if (context.TokenFile is not { } file) return null;
        try
        {
            return CheckToken($"{source}: token-file {file}", File.ReadAllText(file), errors);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            errors.Add(new(source, $"token-file '{file}' cannot be read: {ex.Message}"));
            return null;
        }
    }

    // The token itself is a secret: an error says what is wrong with it, never its text.
    private static string? CheckToken(string source, string value, List<FieldError> errors)
    {
        var token = value.Trim();
        if (token.Length > 0 && token.All(c => c is > ' ' and < (char)127)) return token;
        errors.Add(new(source, token.Length == 0 ? "the token is empty" : "the token must be printable ASCII without spaces"));
        return null;
    }

    private static Uri? CheckApi(string source, string value, List<FieldError> errors)
    {
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0) return uri;
        errors.Add(new(source, $"'{value}' is not an http:// or https:// URL (e.g. {DefaultApi})"));
        return null;
    }

    public TimeSpan ConnectTimeout(ParseResult parse, List<FieldError> errors)
    {
        var timeout = parse.GetValue(ConnectTimeoutMs) ?? DefaultConnectTimeoutMs;
        if (timeout < 1) errors.Add(new("--connect-timeout-ms", $"must be at least 1 (was {timeout})"));
        return TimeSpan.FromMilliseconds(Math.Max(1, timeout));
    }

    /// <summary>
    /// The gateways to use: those on the command line, else those in <paramref name="environment"/>
    /// (<c>$HECK_GATEWAY</c>), else the local default. Each value may list several, separated by commas
    /// or spaces.
    /// </summary>
    public static IReadOnlyList<string> ResolveGateways(IReadOnlyList<string>? fromOptions, string? environment)
    {
        if (fromOptions is { Count: > 0 })
        {
            var given = Split(fromOptions);
            // "--gateway ''" is a mistake worth reporting, not a reason to fall back to the default.
            return given.Count > 0 ? given : [""];
        }
        if (!string.IsNullOrWhiteSpace(environment))
        {
            var fromEnvironment = Split([environment]);
            if (fromEnvironment.Count > 0) return fromEnvironment;
        }
        return [$"127.0.0.1:{GatewayAddress.DefaultPort}"];
    }

    /// <summary>
    /// The SWIM seeds to find gateways through: those on the command line, else (unless gateways are on the command
    /// line) those in <paramref name="environment"/> (<c>$HECK_SEEDS</c>), else none.
    /// </summary>
    public static IReadOnlyList<string> ResolveSeeds(IReadOnlyList<string>? fromOptions, bool gatewaysOnCommandLine, string? environment)
    {
        if (fromOptions is { Count: > 0 })
        {
            var given = Split(fromOptions);
            return given.Count > 0 ? given : [""]; // "--seed ''" is reported, not ignored
        }
        if (gatewaysOnCommandLine || string.IsNullOrWhiteSpace(environment)) return [];
        return Split([environment]);
    }

    /// <summary>
    /// The SWIM keys to discover gateways with: those on the command line, else those in
    /// <paramref name="environment"/> (<c>$HECK_SWIM_KEYS</c>), else none.
    /// </summary>
    public static IReadOnlyList<string> ResolveSwimKeys(IReadOnlyList<string>? fromOptions, string? environment)
    {
        if (fromOptions is { Count: > 0 })
        {
            var given = Split(fromOptions);
            return given.Count > 0 ? given : [""]; // "--swim-key ''" is reported, not ignored
        }
        return string.IsNullOrWhiteSpace(environment) ? [] : Split([environment]);
    }

    private static List<string> Split(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    /// <summary>The client options the command line asks for, with every problem in <paramref name="errors"/>.</summary>
    public HeckClientOptions ToClientOptions(ParseResult parse, List<FieldError> errors)
    {
        var gatewayOptions = parse.GetValue(Gateway);
        var seedOptions = parse.GetValue(Seed);
        var seeds = new List<string>();
        foreach (var s in ResolveSeeds(seedOptions, gatewayOptions is { Length: > 0 }, Environment.GetEnvironmentVariable(SeedsVariable)))
        {
            if (SwimSeed.TryParse(s, out var seed, out var why)) seeds.Add(seed);
            else errors.Add(new(seedOptions is { Length: > 0 } ? "--seed" : SeedsVariable, $"'{s}' {why}"));
        }
        if (seedOptions is { Length: > 0 } && gatewayOptions is { Length: > 0 })
            errors.Add(new("--seed", "give either --seed (find gateways through SWIM) or --gateway, not both"));

        var keyOptions = parse.GetValue(SwimKey);
        var keys = new List<string>();
        if (keyOptions is { Length: > 0 } && seedOptions is not { Length: > 0 } && seeds.Count == 0)
            errors.Add(new("--swim-key", "is only used to find gateways through SWIM; give --seed (or $" + SeedsVariable + ") too"));
        else if (seeds.Count > 0)
        {
            foreach (var (k, i) in ResolveSwimKeys(keyOptions, Environment.GetEnvironmentVariable(SwimKeysVariable)).Select((k, i) => (k, i)))
            {
                // The key itself is a secret: the error names its position, never its text.
                if (HeckClientOptions.KeyError(k) is { } why)
                    errors.Add(new(keyOptions is { Length: > 0 } ? "--swim-key" : SwimKeysVariable, $"key {i + 1} {why}"));
                else keys.Add(k);
            }
        }

        IReadOnlyList<string> gateways = seeds.Count > 0 ? [] : ResolveGateways(gatewayOptions, Environment.GetEnvironmentVariable(GatewayVariable));
        foreach (var g in gateways)
        {
            if (!GatewayAddress.TryParse(g, out _, out var why))
                errors.Add(new("--gateway", $"'{g}' {why}"));
        }

        var clusterId = parse.GetValue(ClusterId);
        if (clusterId is not null && string.IsNullOrWhiteSpace(clusterId))
            errors.Add(new("--cluster-id", "must not be empty"));
        clusterId ??= Environment.GetEnvironmentVariable(ClusterIdVariable);
        if (string.IsNullOrWhiteSpace(clusterId)) clusterId = "heck";

        var timeout = ConnectTimeout(parse, errors);
        return new HeckClientOptions
        {
            Gateways = gateways.ToList(),
            Seeds = seeds,
            Keys = keys,
            ClusterId = clusterId.Trim(),
            ConnectTimeout = timeout,
        };
    }
}
