using System.CommandLine;
using System.CommandLine.Invocation;
using Heck.Client.Sdk;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary>
/// The <c>heck</c> command line, runnable in-process: output goes to the given writers, and
/// the exit code is returned (see <see cref="ExitCodes"/>).
/// </summary>
public static class HeckCli
{
    /// <summary>Runs <c>heck</c> with <paramref name="args"/>; <paramref name="cancellationToken"/> acts as Ctrl-C.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        RunAsync(args, stdout, stderr, connect: null, cancellationToken);

    /// <summary>
    /// Runs <c>heck</c>, connecting through <paramref name="connect"/> instead of
    /// <see cref="HeckClient.ConnectAsync"/> when it is given (e.g. to wrap a TestingHost cluster's
    /// client: <c>(_, _) => Task.FromResult(new HeckClient(cluster.Client))</c>). The client it returns
    /// is disposed when the command ends.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HeckClientFactory? connect,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var terminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        var context = new CliContext(stdout, stderr, CreateConsole(stdout, terminal), terminal, connect, cancellationToken);
        var root = CreateRootCommand(context);

        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            var unmatched = parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-'));
            foreach (var error in parse.Errors)
            {
                var hint = unmatched is not null && error.Message.Contains($"'{unmatched}'", StringComparison.Ordinal) ? CliHelp.Suggest(parse, unmatched) : null;
                context.Error(hint is null ? error.Message : $"{error.Message.TrimEnd('.')}; {hint}");
            }
            stderr.WriteLine("Run 'heck --help' for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // The caller owns Ctrl-C (Program cancels the token); in-process runs must not hook the console.
            ProcessTerminationTimeout = null,
            // Expected failures are exit codes already; anything else must not print a stack trace either.
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Error("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            context.Error($"{ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    internal static RootCommand CreateRootCommand(CliContext context)
    {
        var root = new RootCommand("heck: register origins with a Heck cluster, and see their health");
        context.Globals.AddTo(root);
        root.Subcommands.Add(OriginsCommands.Create(context));
        root.Subcommands.Add(ApplyCommand.Create(context));
        root.Subcommands.Add(TransitionsCommand.Create(context));
        root.Subcommands.Add(WatchCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(MembersCommand.Create(context));
        root.Subcommands.Add(ConfigCommands.Create(context));
        root.Subcommands.Add(CompletionCommand.Create());
        CliHelp.Configure(root, context.Globals);
        return root;
    }

    /// <summary>Spectre output on <paramref name="stdout"/>: detected capabilities on a terminal, plain text otherwise.</summary>
    private static IAnsiConsole CreateConsole(TextWriter stdout, bool terminal)
    {
        if (terminal)
            return AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Not a terminal: no width to fit, and wrapped table cells would break line-based scripts.
        console.Profile.Width = 400;
        return console;
    }
}
