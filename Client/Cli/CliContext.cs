using System.CommandLine;
using System.Text.Json;
using Heck.Client.Sdk;
using Heck.Origins;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary>Opens a <see cref="HeckClient"/> for a command; <see cref="HeckClient.ConnectAsync"/> unless a test supplies another.</summary>
public delegate Task<HeckClient> HeckClientFactory(HeckClientOptions options, CancellationToken cancellationToken);

/// <summary>One run of the CLI: where output goes, how to connect, and the options every command shares.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, IAnsiConsole console, bool isTerminal, HeckClientFactory connect,
    CancellationToken interrupt)
{
    /// <summary>Whether stdout is an interactive terminal (then output has colour and hints).</summary>
    public bool IsTerminal { get; } = isTerminal;
    public TextWriter Stdout { get; } = stdout;
    public TextWriter Stderr { get; } = stderr;
    /// <summary>Human output on stdout: tables and coloured text (colour only on a terminal).</summary>
    public IAnsiConsole Console { get; } = console;
    public GlobalOptions Globals { get; } = new();

    /// <summary>Runs <paramref name="action"/> for <paramref name="command"/>, turning expected failures into exit codes.</summary>
    public void SetAction(Command command, Func<CliRun, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, ct) => RunAsync(parse, action, ct));

    private async Task<int> RunAsync(ParseResult parse, Func<CliRun, CancellationToken, Task<int>> action, CancellationToken invocationToken)
    {
        // The caller's token is the interrupt (Ctrl-C); it is linked in here rather than trusted to arrive through the parser.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(invocationToken, interrupt);
        var ct = linked.Token;
        await using var run = new CliRun(this, parse, connect);
        try
        {
            ct.ThrowIfCancellationRequested();
            return await action(run, ct);
        }
        catch (CliUsageException ex)
        {
            WriteFieldErrors(ex.Errors);
            return ExitCodes.Usage;
        }
        catch (HeckValidationException ex)
        {
            WriteFieldErrors(ex.Errors);
            return ExitCodes.Usage;
        }
        catch (HeckConnectionException ex)
        {
            Error(ex.Message);
            return ExitCodes.Unavailable;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Error("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is SiloUnavailableException or ConnectionFailedException)
        {
            Error($"lost the connection to the cluster: {ex.Message}");
            return ExitCodes.Unavailable;
        }
        catch (TimeoutException ex)
        {
            Error($"the cluster did not answer in time: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            // Unexpected, but still no stack trace: the type and message say enough to report it.
            Error($"{ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>One <c>heck: message</c> line on stderr.</summary>
    public void Error(string message) => Stderr.WriteLine($"heck: {message}");

    /// <summary>Each error as <c>field: message</c> on stderr.</summary>
    public void WriteFieldErrors(IEnumerable<FieldError> errors)
    {
        foreach (var e in errors) Stderr.WriteLine(e.ToString());
    }
}

/// <summary>What one command's action works with: its parse result, its output, and (on demand) a client.</summary>
internal sealed class CliRun(CliContext context, ParseResult parse, HeckClientFactory connect) : IAsyncDisposable
{
    private readonly List<FieldError> _globalErrors = [];
    private HeckClientOptions? _options;
    private HeckClient? _client;

    public ParseResult Parse { get; } = parse;
    public CliContext Context { get; } = context;
    public IAnsiConsole Out => Context.Console;
    public bool Json => Parse.GetValue(Context.Globals.Json);

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);
    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>The client options from the global options; invalid ones are added to the usage errors.</summary>
    private HeckClientOptions Options => _options ??= Context.Globals.ToClientOptions(Parse, _globalErrors);

    /// <summary>Throws a <see cref="CliUsageException"/> (exit 2) when the global options or <paramref name="errors"/> hold any problem.</summary>
    public void EnsureValid(IEnumerable<FieldError>? errors = null)
    {
        _ = Options;
        var all = _globalErrors.Concat(errors ?? []).ToList();
        if (all.Count > 0) throw new CliUsageException(all);
    }

    /// <summary>Connects once, after checking every option; the client is disposed when the command ends.</summary>
    public async Task<HeckClient> ConnectAsync(CancellationToken ct)
    {
        if (_client is not null) return _client;
        EnsureValid();
        ct.ThrowIfCancellationRequested();
        Options.LogWriter ??= Context.Stderr; // Orleans' warnings stay off stdout
        return _client = await connect(Options, ct);
    }

    public void WriteJson<T>(T value) =>
        Context.Stdout.WriteLine(JsonSerializer.Serialize(value, CliJson.Options));

    public void WriteJsonLine<T>(T value)
    {
        Context.Stdout.WriteLine(JsonSerializer.Serialize(value, CliJson.Lines));
        Context.Stdout.Flush();
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
    }
}
