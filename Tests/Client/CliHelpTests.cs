using Heck.Client.Cli;

namespace Heck.Tests.Client;

/// <summary>The CLI's help (golden), its hints, and the pure cores behind <c>heck apply</c> and the config file.</summary>
public class CliHelpTests
{
    // The root command is named after the process: heck when installed, testhost here.
    private static string Normal(string text) =>
        string.Join("\n", text.Replace("\r", "").Replace("testhost", "heck").Split('\n').Select(l => l.TrimEnd())).Trim();

    private const string RootHelp = """
        Description:
          heck: register origins with a Heck cluster, and see their health

        Usage:
          heck [command] [options]

        Options:
          -?, -h, --help  Show help and usage information
          --version       Show version information

        Commands:
          origins                     Register, change, remove and inspect origins
          apply                       Create, update and (with --prune) delete origins to match a file
          transitions <id>            Show an origin's recent health transitions in causal order, oldest first (each owner's newest 16 are kept)
          watch [<id>]                Print health transitions as they happen, until Ctrl-C, --count or --timeout-ms
          status                      One screen: the cluster's members, origins per status, and the origins that are down or unknown
          members                     List the cluster's silos as the answering silo sees them
          config                      Named contexts (API URLs) in the config file: $HECK_CONFIG, else $XDG_CONFIG_HOME/heck/config.yaml, else ~/.config/heck/config.yaml
          completion <bash|fish|zsh>  Print a shell completion script: eval "$(heck completion bash)", or save it where your shell loads completions

        Global options (for every command, before or after its name):
          --api <url>                The HTTP API of a silo. Default: $HECK_API, else the current context of the config file (heck config), else http://127.0.0.1:8080
          --token <token>            The API token (as 'Authorization: Bearer' over HTTP, in the request context over a gateway). Default: $HECK_TOKEN (which keeps it out of the process list), else the current context's token or token-file when the API is the context's
          -o, --output <format>      json, yaml (the HTTP API's documents) or wide (a table with more columns); default: a table
          --json                     The same as -o json
          -g, --gateway <host:port>  Instead of --api: talk to a silo's Orleans client gateway, as host:port; repeat it (or separate with commas) for several. Default: $HECK_GATEWAY, else 127.0.0.1:30000
          --seed <host:port>         A silo's SWIM endpoint as host:port (port default 7946) to find the cluster's gateways through, instead of --gateway; repeat it (or separate with commas) for several. Default: $HECK_SEEDS
          --swim-key <base64>        With --seed: a base64 SWIM key of the cluster (its Heck:Swim:Keys) when it encrypts SWIM traffic; repeat it (or separate with commas) for several. Default: $HECK_SWIM_KEYS, which keeps keys out of the process list
          --cluster-id <id>          The cluster's id. Default: $HECK_CLUSTER_ID, else heck
          --connect-timeout-ms <ms>  How long to wait for a connection to the API, or keep trying to reach a gateway (default 10000)
        """;

    private const string OriginsHelp = """
        Description:
          Register, change, remove and inspect origins

        Usage:
          heck origins [command] [options]

        Options:
          -?, -h, --help  Show help and usage information

        Commands:
          add <id> <url>   Create or replace an origin (settings not given take their defaults; 'origins set' changes only those given)
          set <id>         Change the given settings of an origin; the others stay as they are
          remove, rm <id>  Remove an origin and stop probing it
          list, ls         List origins with their health, as the answering silo sees them
          get <id>         Show an origin's settings and health

        Global options (heck --help lists them): --api, --token, -o|--output, --gateway, --seed, --swim-key, --cluster-id, --connect-timeout-ms
        """;

    [Fact]
    public async Task Root_help_lists_the_global_options_once()
    {
        var r = await Cli.RunAsync(null, ["--help"]);
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.Equal(Normal(RootHelp), Normal(r.Stdout));
    }

    [Fact]
    public async Task Subcommand_help_points_to_the_global_options_instead_of_repeating_them()
    {
        var r = await Cli.RunAsync(null, ["origins", "--help"]);
        Assert.Equal(Normal(OriginsHelp), Normal(r.Stdout));
        var add = await Cli.RunAsync(null, ["origins", "add", "--help"]);
        Assert.Contains("--header", add.Stdout);
        Assert.DoesNotContain("--gateway <", add.Stdout);
        Assert.DoesNotContain("--connect-timeout-ms <", add.Stdout);
    }

    [Theory]
    [InlineData()]
    [InlineData("origins")]
    [InlineData("config")]
    public async Task A_bare_command_prints_its_help_and_exits_0(params string[] args)
    {
        var r = await Cli.RunAsync(null, args);
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.Contains("Usage:", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public async Task A_mistyped_command_gets_the_nearest_names()
    {
        var r = await Cli.RunAsync(null, ["origins", "lst"]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.StartsWith("heck: Unrecognized command or argument 'lst'; did you mean 'ls' or 'list'?", r.Stderr);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _heck_complete heck")]
    [InlineData("zsh", "compdef _heck_complete heck")]
    [InlineData("fish", "complete -c heck")]
    public async Task Completion_scripts_ask_heck_through_the_suggest_directive(string shell, string hook)
    {
        var r = await Cli.RunAsync(null, ["completion", shell]);
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.Contains(hook, r.Stdout);
        Assert.Contains("[suggest:", r.Stdout);
    }

    [Fact]
    public async Task The_suggest_directive_completes_subcommands()
    {
        var r = await Cli.RunAsync(null, ["[suggest:9]", "origins l"]);
        var suggestions = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("list", suggestions);
        Assert.Contains("ls", suggestions);
        Assert.DoesNotContain("add", suggestions);
    }

    [Fact]
    public async Task Local_validation_errors_name_the_flags()
    {
        var r = await Cli.RunAsync(null, ["origins", "add", "x", "http://a", "--interval-ms", "50", "--healthy-threshold", "0", "--header", "nocolon"]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        var fields = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(':')]).ToHashSet();
        Assert.Superset(new HashSet<string> { "--interval-ms", "--healthy-threshold", "--header" }, fields);
        Assert.DoesNotContain("intervalMs", r.Stderr);
    }

    [Fact]
    public void Api_fields_map_to_flags()
    {
        Assert.Equal("--interval-ms", FlagNames.For("intervalMs"));
        Assert.Equal("--header Host", FlagNames.For("headers.Host"));
        Assert.Equal("url", FlagNames.For("url"));
    }

    [Fact]
    public async Task Set_with_nothing_to_change_is_a_usage_error()
    {
        var r = await Cli.RunAsync(null, ["origins", "set", "web"]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.StartsWith("set: give at least one setting", r.Stderr);
    }

    [Fact]
    public void The_config_file_has_named_contexts_and_a_current_one()
    {
        var dir = Directory.CreateTempSubdirectory("heck-config-");
        try
        {
            var path = Path.Combine(dir.FullName, "heck", "config.yaml");
            Assert.Empty(CliConfig.Load(path).Contexts); // missing: empty, not an error
            var config = CliConfig.Load(path);
            config.Contexts["local"] = new CliContextEntry { Api = "http://127.0.0.1:8080" };
            config.Contexts["prod"] = new CliContextEntry { Api = "http://10.0.0.5:8080" };
            config.CurrentContext = "prod";
            config.Save();
            Assert.Contains("current-context: prod", File.ReadAllText(path));
            var read = CliConfig.Load(path);
            Assert.Null(read.Error);
            Assert.Equal("http://10.0.0.5:8080", read.Current!.Api);

            File.WriteAllText(path, "contexts:\n  local: {api: http://127.0.0.1:8080}\ncurrent-context: nope\n");
            Assert.Contains("current-context 'nope' is not one of its contexts (local)", CliConfig.Load(path).Error);
            File.WriteAllText(path, "contexts: [\n");
            Assert.Contains(path, CliConfig.Load(path).Error);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

/// <summary>The plan of <c>heck apply</c> and the file it reads, without a cluster.</summary>
public class ApplyPlanTests
{
    private static OriginSpec Spec(string id, string url, int? intervalMs = null)
    {
        var errors = OriginValidator.Validate(id, new OriginInput { Url = url, IntervalMs = intervalMs }, out var spec);
        Assert.Empty(errors);
        return spec!;
    }

    [Fact]
    public void Creates_updates_with_the_changed_fields_and_leaves_equal_origins_alone()
    {
        var plan = ApplyPlan.Compute(
            [Spec("b", "http://b", 5000), Spec("a", "http://a"), Spec("same", "http://s")],
            [Spec("b", "http://b"), Spec("same", "http://s"), Spec("other", "http://o")], prune: false);
        Assert.Equal(["+ a", "~ b: intervalMs 10000 → 5000"], plan.Changes.Select(c => c.ToString()));
        Assert.Equal(1, plan.Unchanged);
        Assert.Equal(["other"], plan.NotInFile);
    }

    [Fact]
    public void Prune_deletes_what_the_file_does_not_list()
    {
        var plan = ApplyPlan.Compute([Spec("a", "http://a")], [Spec("a", "http://a"), Spec("z", "http://z"), Spec("m", "http://m")], prune: true);
        Assert.Equal(["- m", "- z"], plan.Changes.Select(c => c.ToString()));
        Assert.Empty(plan.NotInFile);
    }

    [Fact]
    public void A_changed_url_kind_shows_every_field_it_moves()
    {
        var fields = ApplyPlan.Diff(Spec("a", "http://a"), Spec("a", "tcp://a:1")).Select(f => f.Field);
        Assert.Equal(["url", "method", "expectStatus"], fields);
    }

    [Fact]
    public void The_file_is_refused_whole_with_every_bad_entry_named()
    {
        var errors = new List<string>();
        var specs = OriginsYaml.Parse("""
            origins:
              - id: ok
                url: http://ok
              - id: bad
                url: ftp://bad
              - url: http://no-id
              - id: ok
                url: http://again
            """, errors);
        Assert.Equal(["ok"], specs.Select(s => s.Id));
        Assert.Contains(errors, e => e.StartsWith("entry 2 (bad): url: ", StringComparison.Ordinal));
        Assert.Contains("entry 3: id: is required", errors);
        Assert.Contains("entry 4 (ok): id: appears more than once in the file (first in entry 1)", errors);

        var unknown = new List<string>();
        OriginsYaml.Parse("origins:\n  - id: a\n    url: http://a\n    interval: 5\n", unknown);
        Assert.Single(unknown);
        Assert.StartsWith("line 4, column 5: ", unknown[0]);
    }
}
