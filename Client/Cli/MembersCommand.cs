using System.CommandLine;
using System.Globalization;
using Heck.Client.Cli.Backend;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary><c>heck members</c>: the cluster's silos as the gateway silo sees them.</summary>
internal static class MembersCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("members", "List the cluster's silos as the answering silo sees them");
        context.SetAction(command, async (run, ct) =>
        {
            run.EnsureValid();
            var cluster = await run.ConnectAsync(ct);
            var members = await cluster.MembersAsync(ct);
            if (run.Documents)
            {
                run.WriteDocument(new MembersJson(members));
                return ExitCodes.Ok;
            }
            run.Out.Write(Table(members));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Table Table(IReadOnlyList<MemberDocument> members)
    {
        var named = members.Any(m => m.Name is not null);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("ADDRESS", "STATUS", "GENERATION", "GATEWAY");
        if (named) table.AddColumn("NAME");
        foreach (var m in members)
        {
            var cells = new List<string>
            {
                Markup.Escape(m.Address), StatusMarkup(m.Status),
                m.Generation.ToString(CultureInfo.InvariantCulture), Render.Text(m.Gateway),
            };
            if (named) cells.Add(Render.Text(m.Name));
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    private static string StatusMarkup(string status) => status switch
    {
        "alive" => "[green]alive[/]",
        "suspect" => "[yellow]suspect[/]",
        "dead" => "[red]dead[/]",
        _ => Markup.Escape(status),
    };
}
