using System.CommandLine;
using Heck.Api;
using Heck.Health;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary><c>heck status</c>: one screen of the cluster: its members, the origins per status, and those down or unknown.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("status", "One screen: the cluster's members, origins per status, and the origins that are down or unknown");
        context.SetAction(command, async (run, ct) =>
        {
            run.EnsureValid();
            var cluster = await run.ConnectAsync(ct);
            var members = await cluster.MembersAsync(ct);
            var origins = await cluster.ListAsync(null, ct);
            var counts = Enum.GetValues<HealthStatus>().ToDictionary(s => Render.Status(s), s => origins.Count(o => o.Health.Status == s));
            var attention = origins.Where(o => o.Health.Status is not (HealthStatus.Healthy or HealthStatus.Degraded)).ToList();
            if (run.Documents)
            {
                run.WriteDocument(new StatusJson(cluster.Target, new MembersJson(members).Members, origins.Count, counts, attention));
                return ExitCodes.Ok;
            }
            var alive = members.Count(m => m.Status == "alive");
            run.Out.MarkupLine($"[bold]Cluster[/] at {Markup.Escape(cluster.Target)}: {members.Count} member{(members.Count == 1 ? "" : "s")}, {alive} alive");
            run.Out.Write(MembersCommand.Table(members));
            run.Out.MarkupLine($"[bold]Origins[/]: {origins.Count} — " + string.Join(", ",
                Enum.GetValues<HealthStatus>().Select(s => $"{counts[Render.Status(s)]} {Render.StatusMarkup(s)}")));
            if (attention.Count == 0)
            {
                run.Out.WriteLine(origins.Count == 0 ? "No origins registered." : "None is down or unknown.");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("ID", "STATUS", "URL", "SINCE", "LAST ERROR");
            foreach (var o in attention)
                table.AddRow(Markup.Escape(o.Id), Render.HealthMarkup(o.Health), Markup.Escape(o.Url), Render.Time(o.Health.Since), Render.Text(o.Health.LastError));
            run.Out.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record StatusJson(string Api, IReadOnlyList<Backend.MemberDocument> Members, int Origins,
        IReadOnlyDictionary<string, int> Counts, IReadOnlyList<OriginDocument> DownOrUnknown);
}
