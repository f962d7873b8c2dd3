using System.CommandLine;
using Heck.Client.Cli.Backend;
using Heck.Health;
using Heck.Origins;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary>
/// <c>heck watch [id] [--count N] [--timeout-ms T] [--to status]</c>: one line per health transition
/// that happens after the watch starts (nothing from before is replayed).
/// Exit codes, meant for scripts: 0 when the watch ended as asked — <c>--count</c> transitions seen,
/// or, without <c>--count</c>, the timeout or Ctrl-C; 1 when <c>--count</c> was given and fewer
/// transitions came before the timeout or Ctrl-C. So
/// <c>heck watch api --to healthy --count 1 --timeout-ms 30000</c> waits for <c>api</c> to become healthy.
/// </summary>
internal static class WatchCommand
{
    private static readonly string[] Statuses = ["unknown", "healthy", "degraded", "unhealthy"];

    public static Command Create(CliContext context)
    {
        var id = new Argument<string?>("id") { Description = "Optional: only this origin's transitions (default: every origin)", Arity = ArgumentArity.ZeroOrOne };
        var count = IntOption.Create("--count", "Stop after this many transitions (exit 0)", "n", "-n");
        var timeout = IntOption.Create("--timeout-ms", "Stop after this long, counted from when watching starts (exit 1 if --count was not reached)", "ms");
        var to = new Option<string?>("--to") { Description = "Only transitions to this status", HelpName = "status" };
        to.AcceptOnlyFromAmong(Statuses);

        var command = new Command("watch", "Print health transitions as they happen, until Ctrl-C, --count or --timeout-ms") { id, count, timeout, to };
        context.SetAction(command, async (run, ct) =>
        {
            var originId = run.Get(id);
            var wanted = run.Get(count);
            var limit = run.Get(timeout);
            HealthStatus? target = run.Get(to) is { } s ? Enum.Parse<HealthStatus>(s, ignoreCase: true) : null;
            var errors = new List<FieldError>();
            if (originId is not null && OriginValidator.CheckId(originId) is { } idError) errors.Add(idError);
            if (wanted is < 1) errors.Add(new("--count", $"must be at least 1 (was {wanted})"));
            if (limit is < 1) errors.Add(new("--timeout-ms", $"must be at least 1 (was {limit})"));
            run.EnsureValid(errors);

            var cluster = await run.ConnectAsync(ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (limit is { } ms) stop.CancelAfter(ms);
            var (origins, events) = await cluster.WatchAsync(originId, stop.Token);
            // At once, so that a watch that has nothing to show yet still says it is running (stderr: stdout stays the events).
            run.Context.Stderr.WriteLine(originId is null
                ? $"Watching {origins} origin{(origins == 1 ? "" : "s")} on {cluster.Target}; Ctrl-C to stop."
                : $"Watching origin '{originId}' on {cluster.Target}; Ctrl-C to stop.");
            run.Context.Stderr.Flush();

            var seen = 0;
            try
            {
                await foreach (var e in events.WithCancellation(stop.Token))
                {
                    if (target is { } t && e.Transition.To != t) continue;
                    Write(run, e);
                    if (++seen == wanted) return ExitCodes.Ok;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The timeout or Ctrl-C: how that ends the command depends on --count, below.
            }

            if (wanted is null) return ExitCodes.Ok;
            var why = ct.IsCancellationRequested ? "interrupted" : $"timed out after {limit} ms";
            run.Context.Error($"{why} with {seen} of {wanted} transitions");
            return ExitCodes.Failed;
        });
        return command;
    }

    private static void Write(CliRun run, WatchEvent e)
    {
        var t = e.Transition;
        if (run.Documents)
        {
            run.WriteJsonLine(TransitionJson.Of(e));
            return;
        }
        run.Out.MarkupLine(
            $"{Render.PreciseTime(t.At)}  [bold]{Markup.Escape(e.OriginId)}[/]  {Render.StatusMarkup(t.From)} → {Render.StatusMarkup(t.To)}  {Markup.Escape(t.Reason)}");
        run.Context.Stdout.Flush();
    }
}
