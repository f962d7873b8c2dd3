using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Heck.Api;
using Heck.Client.Cli.Backend;
using Heck.Client.Sdk;
using Heck.Origins;
using Spectre.Console;

namespace Heck.Client.Cli;

/// <summary>
/// <c>heck apply -f FILE [--prune] [--dry-run]</c>: makes the cluster's origins match the file (see
/// <see cref="ApplyPlan"/>), printing each change as it is made, or only the changes with <c>--dry-run</c>.
/// An origin the silo's own origins file manages is refused (409) and reported; the others still apply.
/// Exit 0 when every change was made, 1 when any was refused, 2 when the file is bad (nothing is sent).
/// </summary>
internal static class ApplyCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Option<string>("--file", "-f") { Description = "A YAML file with 'origins:' as the silo's origins file has it; - reads standard input", HelpName = "file", Required = true };
        var prune = new Option<bool>("--prune") { Description = "Also delete the origins the file does not list" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would change (+ create, ~ update, - delete) and change nothing" };
        var command = new Command("apply", "Create, update and (with --prune) delete origins to match a file") { file, prune, dryRun };
        context.SetAction(command, async (run, ct) =>
        {
            var path = run.Get(file)!;
            string text;
            try
            {
                text = path == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException([new("--file", $"{path} cannot be read: {ex.Message}")]);
            }
            var problems = new List<string>();
            var desired = OriginsYaml.Parse(text, problems);
            run.EnsureValid();
            if (problems.Count > 0)
            {
                foreach (var p in problems) run.Context.Stderr.WriteLine($"{path}: {p}");
                run.Context.Stderr.WriteLine("heck: nothing was applied; fix the file and run again.");
                return ExitCodes.Usage;
            }

            var cluster = await run.ConnectAsync(ct);
            var current = new List<OriginSpec>();
            foreach (var doc in await cluster.ListAsync(null, ct))
            {
                var input = OriginInputJson.AsInput(doc).Deserialize<OriginInput>(CliJson.Options)!;
                OriginValidator.Validate(doc.Id, input, out var spec);
                if (spec is not null) current.Add(spec);
            }
            var plan = ApplyPlan.Compute(desired, current, run.Get(prune));
            var dry = run.Get(dryRun);
            var results = new List<ApplyResultJson>();
            var failed = 0;
            foreach (var change in plan.Changes)
            {
                string? error = null;
                if (!dry)
                {
                    try
                    {
                        await MakeAsync(cluster, change, ct);
                    }
                    catch (Exception ex) when (ex is ApiRefusedException or HeckValidationException)
                    {
                        error = ex is HeckValidationException v ? string.Join("; ", v.Errors) : ex.Message;
                        failed++;
                    }
                }
                results.Add(new(change.Action.ToString().ToLowerInvariant(), change.Id, change.Fields, error));
                if (run.Documents) continue;
                var line = Markup.Escape(change.ToString().Replace(" → ", " -> "));
                var colour = change.Action switch { ApplyAction.Create => "green", ApplyAction.Delete => "red", _ => "yellow" };
                run.Out.MarkupLine($"[{colour}]{line}[/]");
                if (error is not null) run.Context.Error($"{change.Id}: {error}");
            }
            if (run.Documents)
            {
                run.WriteDocument(new ApplyJson(dry, results, plan.Unchanged, plan.NotInFile));
            }
            else
            {
                var summary = $"{plan.Changes.Count} change{(plan.Changes.Count == 1 ? "" : "s")}, {plan.Unchanged} unchanged";
                if (plan.NotInFile.Count > 0) summary += $", {plan.NotInFile.Count} not in the file left alone (--prune deletes them)";
                run.Out.WriteLine(dry ? $"{summary} (dry run: nothing was changed)." : failed > 0 ? $"{summary}; {failed} refused." : $"{summary}.");
            }
            return failed > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static async Task MakeAsync(IHeckBackend cluster, ApplyChange change, CancellationToken ct)
    {
        switch (change.Action)
        {
            case ApplyAction.Delete:
                await cluster.RemoveAsync(change.Id, ct);
                break;
            default:
                var input = OriginInputJson.AsInput(change.Spec!).Deserialize<OriginInput>(CliJson.Options)!;
                // A create must not replace an origin someone else created since the listing.
                await cluster.PutAsync(change.Id, input, createOnly: change.Action == ApplyAction.Create, ct);
                break;
        }
    }

    private sealed record ApplyResultJson(string Action, string Id, IReadOnlyList<FieldChange> Fields,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

    private sealed record ApplyJson(bool DryRun, IReadOnlyList<ApplyResultJson> Changes, int Unchanged, IReadOnlyList<string> NotInFile);
}
