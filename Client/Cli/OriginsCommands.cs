using Heck.Api;
using System.CommandLine;
using Heck.Health;
using Heck.Origins;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary><c>heck origins add|rm|ls|get</c>.</summary>
internal static class OriginsCommands
{
    private static readonly string[] Statuses = ["unknown", "healthy", "degraded", "unhealthy"];

    public static Command Create(CliContext context)
    {
        var origins = new Command("origins", "Register, remove and inspect origins");
        origins.Subcommands.Add(Add(context));
        origins.Subcommands.Add(Remove(context));
        origins.Subcommands.Add(List(context));
        origins.Subcommands.Add(Get(context));
        return origins;
    }

    private static Argument<string> IdArgument() => new("id") { Description = "The origin's id: letters, digits, '.', '_' or '-', at most 128" };

    private static Command Add(CliContext context)
    {
        var id = IdArgument();
        var url = new Argument<string>("url") { Description = "http://…, https://… or tcp://host:port" };
        var interval = IntOption.Create("--interval-ms", $"Time between probes (default {OriginDefaults.IntervalMs})", "ms");
        var timeout = IntOption.Create("--timeout-ms", "Time a probe may take (default min(2000, interval/2))", "ms");
        var method = new Option<string?>("--method") { Description = "GET or HEAD (http(s) only; default GET)" };
        var expect = new Option<string?>("--expect-status") { Description = $"Status codes and ranges that count as success (default {OriginDefaults.ExpectStatus})", HelpName = "codes" };
        var body = new Option<string?>("--body-contains") { Description = "Text the response body must contain", HelpName = "text" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A request header \"Name: value\"; repeat for several", HelpName = "Name: value" };
        var degraded = IntOption.Create("--degraded-latency-ms", "A successful probe slower than this makes the origin degraded", "ms");
        var healthy = IntOption.Create("--healthy-threshold", $"Successes in a row to become healthy (default {OriginDefaults.HealthyThreshold})", "n");
        var unhealthy = IntOption.Create("--unhealthy-threshold", $"Failures in a row to become unhealthy (default {OriginDefaults.UnhealthyThreshold})", "n");
        var reuse = new Option<bool>("--reuse-connection") { Description = "Probe over pooled keep-alive connections (http(s) only; default: a new connection per probe)" };

        var command = new Command("add", "Create or replace an origin") { id, url, interval, timeout, method, expect, body, headers, degraded, healthy, unhealthy, reuse };
        context.SetAction(command, async (run, ct) =>
        {
            var errors = new List<FieldError>();
            var input = new OriginInput
            {
                Url = run.Get(url),
                IntervalMs = run.Get(interval),
                TimeoutMs = run.Get(timeout),
                Method = run.Get(method),
                ExpectStatus = run.Get(expect),
                BodyContains = run.Get(body),
                Headers = HeaderOption.Parse(run.Get(headers), errors),
                DegradedLatencyMs = run.Get(degraded),
                HealthyThreshold = run.Get(healthy),
                UnhealthyThreshold = run.Get(unhealthy),
                ReuseConnection = run.Get(reuse) ? true : null,
            };
            var originId = run.Get(id)!;
            errors.AddRange(OriginValidator.Validate(originId, input, out _).Where(e => !errors.Contains(e)));
            run.EnsureValid(errors); // everything checked before connecting

            var client = await run.ConnectAsync(ct);
            var result = await client.UpsertOriginAsync(originId, input, ct);
            if (run.Json)
            {
                run.WriteJson(new UpsertJson(result.Created, OriginDocument.From(result.View)));
            }
            else
            {
                run.Out.MarkupLine($"{(result.Created ? "Created" : "Replaced")} origin [bold]{Markup.Escape(originId)}[/].");
                run.Out.Write(Render.Details(result.View));
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
            var client = await run.ConnectAsync(ct);
            if (!await client.RemoveOriginAsync(originId, ct))
            {
                run.Context.Error($"origin '{originId}' not found");
                return ExitCodes.Failed;
            }
            if (run.Json) run.WriteJson(new RemoveJson(originId, true));
            else run.Out.MarkupLine($"Removed origin [bold]{Markup.Escape(originId)}[/].");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "Only origins with this status", HelpName = "status" };
        status.AcceptOnlyFromAmong(Statuses);
        var command = new Command("ls", "List origins with their health, as the gateway silo sees them") { status };
        command.Aliases.Add("list");
        context.SetAction(command, async (run, ct) =>
        {
            run.EnsureValid();
            HealthStatus? filter = run.Get(status) is { } s ? Enum.Parse<HealthStatus>(s, ignoreCase: true) : null;
            var client = await run.ConnectAsync(ct);
            var origins = await client.ListOriginsAsync(filter, ct);
            if (run.Json)
            {
                run.WriteJson(new OriginListJson(origins.Select(OriginDocument.From).ToList()));
                return ExitCodes.Ok;
            }
            if (origins.Count == 0)
            {
                run.Out.WriteLine(filter is { } f ? $"No {Render.Status(f)} origins." : "No origins.");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("ID", "STATUS", "URL", "SINCE", "LAST LATENCY", "LAST ERROR", "OWNER");
            foreach (var o in origins)
            {
                table.AddRow(
                    Markup.Escape(o.Spec.Id), Render.HealthMarkup(o.Health), Markup.Escape(o.Spec.Url),
                    Render.Time(o.Health.Since), Render.Latency(o.Health.LastLatencyMs),
                    Render.Text(o.Health.LastError), Render.Text(o.Health.Owner));
            }
            run.Out.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Get(CliContext context)
    {
        var id = IdArgument();
        var command = new Command("get", "Show an origin's settings and health") { id };
        context.SetAction(command, async (run, ct) =>
        {
            var originId = CheckedId(run, id);
            var client = await run.ConnectAsync(ct);
            var view = await client.GetOriginAsync(originId, ct);
            if (view is null)
            {
                run.Context.Error($"origin '{originId}' not found");
                return ExitCodes.Failed;
            }
            if (run.Json) run.WriteJson(OriginDocument.From(view));
            else run.Out.Write(Render.Details(view));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The id argument, checked (with the global options) before connecting.</summary>
    private static string CheckedId(CliRun run, Argument<string> id)
    {
        var value = run.Get(id)!;
        run.EnsureValid(OriginValidator.CheckId(value) is { } error ? [error] : []);
        return value;
    }
}
