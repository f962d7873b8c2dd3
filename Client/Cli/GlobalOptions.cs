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
    public const int DefaultConnectTimeoutMs = 10_000;

    public Option<string[]> Gateway { get; } = new("--gateway", "-g")
    {
        Description = $"A silo gateway as host:port; repeat it (or separate with commas) for several. Default: ${GatewayVariable}, else 127.0.0.1:{GatewayAddress.DefaultPort}",
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
        var option = IntOption.Create("--connect-timeout-ms", $"How long to keep trying to reach a gateway (default {DefaultConnectTimeoutMs})", "ms");
        option.Recursive = true;
        return option;
    }

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write JSON (camelCase, lower-case enums) instead of tables",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Gateway);
        root.Options.Add(Seed);
        root.Options.Add(SwimKey);
        root.Options.Add(ClusterId);
        root.Options.Add(ConnectTimeoutMs);
        root.Options.Add(Json);
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

        var timeout = parse.GetValue(ConnectTimeoutMs) ?? DefaultConnectTimeoutMs;
        if (timeout < 1)
            errors.Add(new("--connect-timeout-ms", $"must be at least 1 (was {timeout})"));

        return new HeckClientOptions
        {
            Gateways = gateways.ToList(),
            Seeds = seeds,
            Keys = keys,
            ClusterId = clusterId.Trim(),
            ConnectTimeout = TimeSpan.FromMilliseconds(Math.Max(1, timeout)),
        };
    }
}
