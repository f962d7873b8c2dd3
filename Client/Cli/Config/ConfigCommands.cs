using System.CommandLine;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary><c>heck config get-contexts|use-context|set-context</c>: the contexts of <see cref="CliConfig"/>.</summary>
internal static class ConfigCommands
{
    public static Command Create(CliContext context)
    {
        var config = new Command("config", $"Named contexts (API URLs) in the config file: ${CliConfig.ConfigVariable}, else $XDG_CONFIG_HOME/heck/config.yaml, else ~/.config/heck/config.yaml");
        config.Subcommands.Add(GetContexts(context));
        config.Subcommands.Add(UseContext(context));
        config.Subcommands.Add(SetContext(context));
        CliHelp.ShowHelpWhenBare(config);
        return config;
    }

    private static CliConfig Load(CliRun run)
    {
        var config = CliConfig.Load(CliConfig.DefaultPath());
        if (config.Error is { } error) throw new CliUsageException([new("config", error)]);
        return config;
    }

    private static Command GetContexts(CliContext context)
    {
        var command = new Command("get-contexts", "List the contexts; the current one is marked *");
        context.SetAction(command, (run, _) =>
        {
            var config = Load(run);
            if (run.Format is OutputFormat.Json or OutputFormat.Yaml)
            {
                run.WriteDocument(new { currentContext = config.CurrentContext, contexts = config.Contexts.ToDictionary(c => c.Key, c => new { api = c.Value.Api }) });
                return Task.FromResult(ExitCodes.Ok);
            }
            if (config.Contexts.Count == 0)
            {
                run.Out.WriteLine($"No contexts in {config.Path}; heck uses --api, ${GlobalOptions.ApiVariable} or {GlobalOptions.DefaultApi}.");
                return Task.FromResult(ExitCodes.Ok);
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("CURRENT", "NAME", "API");
            foreach (var (name, entry) in config.Contexts.OrderBy(c => c.Key, StringComparer.Ordinal))
                table.AddRow(name == config.CurrentContext ? "*" : "", Markup.Escape(name), Render.Text(entry.Api));
            run.Out.Write(table);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command UseContext(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "A context of the config file" };
        var command = new Command("use-context", "Make a context the current one") { name };
        context.SetAction(command, (run, _) =>
        {
            var config = Load(run);
            var wanted = run.Get(name)!;
            if (!config.Contexts.ContainsKey(wanted))
            {
                var known = config.Contexts.Count == 0 ? "there are none; add one with heck config set-context NAME --api URL" : "known: " + string.Join(", ", config.Contexts.Keys.Order(StringComparer.Ordinal));
                throw new CliUsageException([new("name", $"no context '{wanted}' in {config.Path} ({known})")]);
            }
            config.CurrentContext = wanted;
            config.Save();
            run.Out.WriteLine($"Switched to context \"{wanted}\" ({config.Contexts[wanted].Api}).");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command SetContext(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The context's name" };
        var api = new Option<string>("--url") { Description = "The HTTP API of a silo of the cluster", HelpName = "url", Required = true };
        var use = new Option<bool>("--use") { Description = "Also make it the current context" };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = "A file holding the API token to send to this context (read at each call; the token itself is not copied into the config)",
            HelpName = "path",
        };
        var command = new Command("set-context", "Add a context, or change its API URL") { name, api, use, tokenFile };
        context.SetAction(command, (run, _) =>
        {
            var config = Load(run);
            var url = run.Get(api)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new CliUsageException([new("--url", $"'{url}' is not an http:// or https:// URL (e.g. {GlobalOptions.DefaultApi})")]);
            var contextName = run.Get(name)!;
            var file = run.Get(tokenFile) is { } f ? Path.GetFullPath(f) : null;
            if (file is not null && !File.Exists(file)) throw new CliUsageException([new("--token-file", $"'{file}' does not exist")]);
            config.Contexts[contextName] = new CliContextEntry { Api = url, TokenFile = file };
            if (run.Get(use) || config.CurrentContext is null) config.CurrentContext = contextName;
            config.Save();
            run.Out.WriteLine($"Context \"{contextName}\" is {url}{(config.CurrentContext == contextName ? " (current)" : "")}.");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
