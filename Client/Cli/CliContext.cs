using System.CommandLine;
using System.Text.Json;
using Heck.Client.Cli.Backend;
using Heck.Client.Sdk;
using Heck.Origins;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary>Opens a <see cref="HeckClient"/> for a command; <see cref="HeckClient.ConnectAsync"/> unless a test supplies another.</summary>
public delegate Task<HeckClient> HeckClientFactory(HeckClientOptions options, CancellationToken cancellationToken);

/// <summary>How a command writes what it read: a table (the default), a wider table, or the API's documents.</summary>
internal enum OutputFormat { Table, Wide, Json, Yaml }

/// <summary>One run of the CLI: where output goes, how to connect, and the options every command shares.</summary>
/// <param name="connect">Given (by tests): every command without --api uses the Orleans gateway path through it.</param>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, IAnsiConsole console, bool isTerminal, HeckClientFactory? connect,
    CancellationToken interrupt)
{
    /// <summary>Whether stdout is an interactive terminal (then output has colour and hints).</summary>
    public bool IsTerminal { get; } = isTerminal;
    public TextWriter Stdout { get; } = stdout;
    public TextWriter Stderr { get; } = stderr;
    /// <summary>Human output on stdout: tables and coloured text (colour only on a terminal).</summary>
    public IAnsiConsole Console { get; } = console;
    public GlobalOptions Globals { get; } = new();
    public HeckClientFactory? Connect { get; } = connect;

    /// <summary>Runs <paramref name="action"/> for <paramref name="command"/>, turning expected failures into exit codes.</summary>
    public void SetAction(Command command, Func<CliRun, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, ct) => RunAsync(parse, action, ct));

    private async Task<int> RunAsync(ParseResult parse, Func<CliRun, CancellationToken, Task<int>> action, CancellationToken invocationToken)
    {
        // The caller's token is the interrupt (Ctrl-C); it is linked in here rather than trusted to arrive through the parser.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(invocationToken, interrupt);
        var ct = linked.Token;
        await using var run = new CliRun(this, parse);
        try
        {
            ct.ThrowIfCancellationRequested();
            return await action(run, ct);
        }
        catch (CliUsageException ex)
        {
            WriteFieldErrors(ex.Errors.Select(FlagNames.ForFlags));
            return ExitCodes.Usage;
        }
        catch (HeckValidationException ex)
        {
            WriteFieldErrors(ex.Errors.Select(FlagNames.ForFlags));
            return ExitCodes.Usage;
        }
        catch (HeckConnectionException ex)
        {
            Error(ex.Message);
            return ExitCodes.Unavailable;
        }
        catch (ApiRefusedException ex) when (ex.Status is 401 or 403)
        {
            Error(ex.Message);
            return ExitCodes.Unauthorized;
        }
        catch (ApiRefusedException ex)
        {
            Error(ex.Message);
            return ExitCodes.Failed;
        }
        catch (HeckLimitException ex)
        {
            Error(ex.Message);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Error("interrupted");
            return ExitCodes.Interrupted;
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

/// <summary>What one command's action works with: its parse result, its output, and (on demand) the cluster.</summary>
internal sealed class CliRun(CliContext context, ParseResult parse) : IAsyncDisposable
{
    private readonly List<FieldError> _globalErrors = [];
    private IHeckBackend? _backend;
    private bool _checked;

    public ParseResult Parse { get; } = parse;
    public CliContext Context { get; } = context;
    public IAnsiConsole Out => Context.Console;

    public OutputFormat Format => Parse.GetValue(Context.Globals.Json) ? OutputFormat.Json : Parse.GetValue(Context.Globals.Output) switch
    {
        "json" => OutputFormat.Json,
        "yaml" => OutputFormat.Yaml,
        "wide" => OutputFormat.Wide,
        _ => OutputFormat.Table,
    };

    /// <summary>Whether the output is a document (<c>-o json</c>, <c>-o yaml</c>, <c>--json</c>) rather than text for people.</summary>
    public bool Documents => Format is OutputFormat.Json or OutputFormat.Yaml;

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);
    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>Throws a <see cref="CliUsageException"/> (exit 2) when the global options or <paramref name="errors"/> hold any problem.</summary>
    public void EnsureValid(IEnumerable<FieldError>? errors = null)
    {
        if (!_checked)
        {
            _checked = true;
            _backend = CreateBackend();
        }
        var all = _globalErrors.Concat(errors ?? []).ToList();
        if (all.Count > 0) throw new CliUsageException(all);
    }

    private IHeckBackend? CreateBackend()
    {
        var globals = Context.Globals;
        if ((Context.Connect is not null && Parse.GetValue(globals.Api) is null) || globals.UsesGateway(Parse)) return CreateGateway();
        var timeout = globals.ConnectTimeout(Parse, _globalErrors);
        var token = globals.ResolveToken(Parse, _globalErrors);
        return globals.ResolveApi(Parse, _globalErrors) is { } api ? new HttpBackend(api, timeout, token) : null;
    }

    /// <summary>Kept apart so that the HTTP path never compiles code that names Orleans types.</summary>
    private IHeckBackend CreateGateway()
    {
        var options = Context.Globals.ToClientOptions(Parse, _globalErrors);
        options.LogWriter ??= Context.Stderr; // Orleans' warnings stay off stdout
        return new GatewayBackend(options, Context.Connect ?? HeckClient.ConnectAsync);
    }

    /// <summary>The cluster, after checking every option; a gateway connects on its first call, and is closed when the command ends.</summary>
    public Task<IHeckBackend> ConnectAsync(CancellationToken ct)
    {
        EnsureValid();
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(_backend!);
    }

    /// <summary>A document as <c>-o json</c> (indented) or <c>-o yaml</c> asks.</summary>
    public void WriteDocument<T>(T value)
    {
        if (Format == OutputFormat.Yaml) Context.Stdout.Write(YamlOutput.Write(JsonSerializer.SerializeToElement(value, CliJson.Options)));
        else Context.Stdout.WriteLine(JsonSerializer.Serialize(value, CliJson.Options));
    }

    public void WriteJson<T>(T value) => WriteDocument(value);

    public void WriteJsonLine<T>(T value)
    {
        Context.Stdout.WriteLine(JsonSerializer.Serialize(value, CliJson.Lines));
        Context.Stdout.Flush();
    }

    public async ValueTask DisposeAsync()
    {
        if (_backend is not null) await _backend.DisposeAsync();
    }
}
