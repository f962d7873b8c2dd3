using System.CommandLine;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary><c>heck transitions ID</c>: the origin's kept health transitions, oldest first (<c>GET /api/origins/{id}/transitions</c>).</summary>
internal static class TransitionsCommand
{
    public static Command Create(CliContext context)
    {
        var id = new Argument<string>("id") { Description = "The origin's id" };
        var command = new Command("transitions", "Show an origin's recent health transitions in causal order, oldest first (each owner's newest 16 are kept)") { id };
        context.SetAction(command, async (run, ct) =>
        {
            var originId = OriginsCommands.CheckedId(run, id);
            var cluster = await run.ConnectAsync(ct);
            if (await cluster.TransitionsAsync(originId, ct) is not { } transitions)
            {
                run.Context.Error($"origin '{originId}' not found");
                return ExitCodes.Failed;
            }
            if (run.Documents)
            {
                run.WriteDocument(new Backend.TransitionsDocument(transitions));
                return ExitCodes.Ok;
            }
            if (transitions.Count == 0)
            {
                run.Out.WriteLine($"No transitions of '{originId}' yet.");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("AT", "FROM", "TO", "REASON");
            foreach (var t in transitions)
                table.AddRow(Render.PreciseTime(t.At), Render.StatusMarkup(t.From), Render.StatusMarkup(t.To), Render.Text(t.Reason));
            run.Out.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
