using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Heck.Client.Cli;

/// <summary>
/// Help that lists the global options once, under <c>heck --help</c>, and points there from every other
/// command's help; bare commands (<c>heck</c>, <c>heck origins</c>) print their help; a mistyped command
/// gets the nearest names.
/// </summary>
internal static class CliHelp
{
    public static void Configure(RootCommand root, GlobalOptions globals)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is SynchronousCommandLineAction standard) help.Action = new WithGlobals(standard, root, globals);
        ShowHelpWhenBare(root);
    }

    /// <summary>The standard help (which leaves out the hidden global options), then the global options or a pointer to them.</summary>
    private sealed class WithGlobals(SynchronousCommandLineAction standard, RootCommand root, GlobalOptions globals) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var output = parseResult.InvocationConfiguration.Output;
            var captured = new StringWriter();
            parseResult.InvocationConfiguration.Output = captured;
            int code;
            try { code = standard.Invoke(parseResult); }
            finally { parseResult.InvocationConfiguration.Output = output; }
            output.Write(MarkOptionalArguments(captured.ToString(), parseResult.CommandResult.Command));
            if (parseResult.CommandResult.Command != root)
            {
                output.WriteLine("Global options (heck --help lists them): --api, --token, -o|--output, --gateway, --seed, --swim-key, --cluster-id, --connect-timeout-ms");
                return code;
            }
            output.WriteLine("Global options (for every command, before or after its name):");
            var rows = globals.All.Select(o => (Name: string.Join(", ", o.Aliases.Order().Append(o.Name)) + (o.HelpName is { } h ? $" <{h}>" : ""), o.Description ?? "")).ToList();
            var width = rows.Max(r => r.Name.Length) + 2;
            foreach (var (name, description) in rows) output.WriteLine($"  {name.PadRight(width)}{description}");
            output.WriteLine();
            return code;
        }
    }

    /// <summary>
    /// The standard help lists a subcommand as <c>watch &lt;id&gt;</c> even when its argument is optional (its own usage
    /// line says <c>[&lt;id&gt;]</c>): the list says the same, taking two spaces of the row's padding.
    /// </summary>
    internal static string MarkOptionalArguments(string help, Command command)
    {
        foreach (var sub in command.Subcommands)
            foreach (var argument in sub.Arguments.Where(a => a.Arity.MinimumNumberOfValues == 0 && !a.Hidden))
                help = help.Replace($"  {sub.Name} <{argument.HelpName ?? argument.Name}>  ", $"  {sub.Name} [<{argument.HelpName ?? argument.Name}>]", StringComparison.Ordinal);
        return help;
    }

    /// <summary>A command that only groups others prints its help, exit 0, when given alone.</summary>
    public static void ShowHelpWhenBare(Command command) =>
        command.SetAction(parse =>
        {
            var path = new List<string>();
            for (var r = parse.CommandResult; r is not null && r.Parent is CommandResult parent; r = parent) path.Insert(0, r.Command.Name);
            path.Add("--help");
            return parse.RootCommandResult.Command.Parse(path).Invoke(parse.InvocationConfiguration);
        });

    /// <summary>For an unknown command name, the known ones within two edits (or starting with it), as a hint.</summary>
    public static string? Suggest(ParseResult parse, string token)
    {
        var names = parse.CommandResult.Command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)).Distinct().ToList();
        var scored = names.Select(n => (Name: n, Distance: n.StartsWith(token, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(n, token)))
            .Where(n => n.Distance <= 2).ToList();
        var best = scored.Count == 0 ? 0 : scored.Min(n => n.Distance);
        var near = scored.Where(n => n.Distance == best).Select(n => n.Name).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).Take(3).ToList();
        return near.Count == 0 ? null : "did you mean " + string.Join(" or ", near.Select(n => $"'{n}'")) + "?";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var next = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
                previous = next;
            }
        }
        return row[b.Length];
    }
}
