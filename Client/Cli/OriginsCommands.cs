using System.CommandLine;
using Heck.Api;
using Heck.Health;
using Heck.Origins;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary><c>heck origins add|set|rm|ls|get</c>.</summary>
internal static class OriginsCommands
{
    private static readonly string[] Statuses = ["unknown", "healthy", "degraded", "unhealthy"];

    public static Command Create(CliContext context)
    {
        var origins = new Command("origins", "Register, change, remove and inspect origins");
        origins.Subcommands.Add(Add(context));
        origins.Subcommands.Add(Set(context));
        origins.Subcommands.Add(Remove(context));
        origins.Subcommands.Add(List(context));
        origins.Subcommands.Add(Get(context));
        CliHelp.ShowHelpWhenBare(origins);
        return origins;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "The origin's id: letters, digits, '.', '_' or '-', at most 128" };

    private static Command Add(CliContext context)
    {
        var id = IdArgument();
        var url = new Argument<string>("url") { Description = "http://…, https://… or tcp://host:port" };
        var flags = new OriginFlags();
        var command = new Command("add", "Create or replace an origin (settings not given take their defaults; 'origins set' changes only those given)") { id, url };
        flags.AddTo(command);
        context.SetAction(command, async (run, ct) =>
        {
            var errors = new List<FieldError>();
            var input = flags.ToInput(run, run.Get(url), errors);
            var originId = run.Get(id)!;
            errors.AddRange(OriginValidator.Validate(originId, input, out _).Where(e => !errors.Contains(e)));
            run.EnsureValid(errors); // everything checked before connecting

            var cluster = await run.ConnectAsync(ct);
            var (created, origin) = await cluster.PutAsync(originId, input, createOnly: false, ct);
            if (run.Documents)
            {
                run.WriteDocument(new UpsertJson(created, origin));
            }
            else
            {
                run.Out.MarkupLine($"{(created ? "Created" : "Replaced")} origin [bold]{Markup.Escape(originId)}[/].");
                run.Out.Write(Render.Details(origin));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Over HTTP: a GET for the ETag, then a merge patch with If-Match, so that an edit made in between is an
    /// error rather than lost. Over a gateway: read, merge and upsert (no precondition).
    /// </summary>
    private static Command Set(CliContext context)
    {
        var id = IdArgument();
        var url = new Option<string?>("--url") { Description = "http://…, https://… or tcp://host:port", HelpName = "url" };
        var flags = new OriginFlags();
        var command = new Command("set", "Change the given settings of an origin; the others stay as they are") { id, url };
        flags.AddTo(command, forSet: true);
        context.SetAction(command, async (run, ct) =>
        {
            var originId = run.Get(id)!;
            var errors = new List<FieldError>();
            if (OriginValidator.CheckId(originId) is { } idError) errors.Add(idError);
            var patch = flags.ToPatch(run, run.Get(url), errors);
            if (patch.Count == 0 && errors.Count == 0) errors.Add(new("set", "give at least one setting to change, e.g. --interval-ms 5000 (heck origins set --help lists them)"));
            run.EnsureValid(errors);

            var cluster = await run.ConnectAsync(ct);
            if (await cluster.GetAsync(originId, ct) is not { } current)
            {
                run.Context.Error($"origin '{originId}' not found (heck origins add creates it)");
                return ExitCodes.Failed;
            }
            OriginDocument? origin;
            try
            {
                origin = await cluster.PatchAsync(originId, patch, current.ETag, ct);
            }
            catch (Backend.ApiRefusedException ex) when (ex.Status == 412)
            {
                run.Context.Error($"origin '{originId}' was changed by someone else while this command ran; nothing was changed. Run it again. ({ex.Message})");
                return ExitCodes.Failed;
            }
            if (origin is null)
            {
                run.Context.Error($"origin '{originId}' was removed while this command ran");
                return ExitCodes.Failed;
            }
            if (run.Documents) run.WriteDocument(origin);
            else
            {
                run.Out.MarkupLine($"Updated origin [bold]{Markup.Escape(originId)}[/].");
                run.Out.Write(Render.Details(origin));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var id = IdArgument();
        var command = new Command("rm", "Remove an origin and stop probing it") { id };
        command.Aliases.Add("remove");
        context.SetAction(command, async (run, ct) =>
        {
            var originId = CheckedId(run, id);
            var cluster = await run.ConnectAsync(ct);
            if (!await cluster.RemoveAsync(originId, ct))
            {
                run.Context.Error($"origin '{originId}' not found");
                return ExitCodes.Failed;
            }
            if (run.Documents) run.WriteDocument(new RemoveJson(originId, true));
            else run.Out.MarkupLine($"Removed origin [bold]{Markup.Escape(originId)}[/].");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "Only origins with this status", HelpName = "status" };
        status.AcceptOnlyFromAmong(Statuses);
        var watch = new Option<bool>("--watch", "-w") { Description = "Show the list again every --every seconds, until Ctrl-C" };
        var every = IntOption.Create("--every", "With --watch: seconds between two listings (default 2)", "s");
        var command = new Command("ls", "List origins with their health, as the answering silo sees them") { status, watch, every };
        command.Aliases.Add("list");
        context.SetAction(command, async (run, ct) =>
        {
            var seconds = run.Get(every) ?? 2;
            run.EnsureValid(seconds < 1 ? [new("--every", $"must be at least 1 (was {seconds})")] : null);
            HealthStatus? filter = run.Get(status) is { } s ? Enum.Parse<HealthStatus>(s, ignoreCase: true) : null;
            var cluster = await run.ConnectAsync(ct);
            if (!run.Get(watch))
            {
                Write(run, filter, await cluster.ListAsync(filter, ct));
                return ExitCodes.Ok;
            }
            while (!ct.IsCancellationRequested)
            {
                var origins = await cluster.ListAsync(filter, ct);
                if (run.Context.IsTerminal && !run.Documents) run.Out.Clear();
                else if (!run.Documents) run.Out.WriteLine($"--- {Render.Time(DateTimeOffset.UtcNow)}");
                Write(run, filter, origins);
                run.Context.Stdout.Flush();
                await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Write(CliRun run, HealthStatus? filter, IReadOnlyList<OriginDocument> origins)
    {
        if (run.Documents)
        {
            run.WriteDocument(new OriginListJson(origins));
            return;
        }
        if (origins.Count == 0)
        {
            run.Out.WriteLine(filter is { } f ? $"No {Render.Status(f)} origins." : "No origins.");
            return;
        }
        var wide = run.Format == OutputFormat.Wide;
        var table = new Table().Border(TableBorder.Rounded).AddColumns("ID", "STATUS", "URL", "SINCE", "LAST LATENCY", "LAST ERROR", "OWNER");
        if (wide) table.AddColumns("INTERVAL", "TIMEOUT", "THRESHOLDS", "AGE", "CONFIRMED BY", "OBSERVED BY");
        foreach (var o in origins)
        {
            var cells = new List<string>
            {
                Markup.Escape(o.Id), Render.HealthMarkup(o.Health), Markup.Escape(o.Url),
                Render.Time(o.Health.Since), Render.Latency(o.Health.LastLatencyMs),
                Render.Text(o.Health.LastError), Render.Text(o.Health.Owner),
            };
            if (wide)
            {
                cells.AddRange([$"{o.IntervalMs} ms", $"{o.TimeoutMs} ms", $"{o.HealthyThreshold}/{o.UnhealthyThreshold}",
                    o.Health.AgeMs is { } age ? Render.Age(age) : Render.None,
                    Render.Text(o.Health.ConfirmedBy is { Count: > 0 } c ? string.Join(", ", c) : null), Render.Text(o.ObservedBy)]);
            }
            table.AddRow(cells.ToArray());
        }
        run.Out.Write(table);
    }

    private static Command Get(CliContext context)
    {
        var id = IdArgument();
        var command = new Command("get", "Show an origin's settings and health") { id };
        context.SetAction(command, async (run, ct) =>
        {
            var originId = CheckedId(run, id);
            var cluster = await run.ConnectAsync(ct);
            if (await cluster.GetAsync(originId, ct) is not { } found)
            {
                run.Context.Error($"origin '{originId}' not found");
                return ExitCodes.Failed;
            }
            if (run.Documents) run.WriteDocument(found.Origin);
            else run.Out.Write(Render.Details(found.Origin));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The id argument, checked (with the global options) before connecting.</summary>
    internal static string CheckedId(CliRun run, Argument<string> id)
    {
        var value = run.Get(id)!;
        run.EnsureValid(OriginValidator.CheckId(value) is { } error ? [error] : []);
        return value;
    }
}
