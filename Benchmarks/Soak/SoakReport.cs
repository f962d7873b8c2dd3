using System.Text;

namespace Heck.Benchmarks.Soak;

/// <summary>The soak's verdict: its checks, the markdown table and summary lines, the JSON, and the silo logs on FAIL.</summary>
internal sealed class SoakReport(SoakScenario.Options o, RestartableCluster cluster, string[] ids, SoakLog log, FaultPlan plan, GapSampler sampler,
    HealthReader reader, OriginChurn churn)
{
    /// <summary>What the run found once the faults stopped.</summary>
    public sealed record Findings(
        bool Converged, double? EqualAfterMs, List<string> Differences, List<string> EqualityTrace, List<string> Lost,
        Dictionary<string, int> Statuses, (long Injected, long Packets)[] Transport, object[] ReplicaStats,
        List<string> Resurrected, int ClustersAtEnd);

    public async Task<int> WriteAsync(TextWriter output, Findings f)
    {
        var (converged, equalAfterMs, differences, lost, statuses, transport) = (f.Converged, f.EqualAfterMs, f.Differences, f.Lost, f.Statuses, f.Transport);
        var events = plan.Events();
        int Count(string action) => events.Count(e => e.Action == action);
        var gaps = Stats.Of(sampler.MaxGapMs);
        var violations = sampler.Violations();
        var anomalies = log.Anomalies();
        var falseReadings = reader.FalseReadings();
        var partitions = plan.Partitions();
        var rejoins = plan.Rejoins();
        var churned = churn.Counts;
        var clustersAfterHeal = partitions.Count == 0 ? f.ClustersAtEnd : partitions.Max(p => p.ClustersAfterHeal);
        var healMs = Stats.Of(partitions.Where(p => p.OneClusterAfterMs is not null).Select(p => p.OneClusterAfterMs!.Value).ToList());

        var checks = new Dictionary<string, bool>
        {
            ["no registered origin lost"] = lost.Count == 0,
            ["no deleted origin resurrected"] = f.Resurrected.Count == 0,
            [$"no origin unprobed longer than {o.UnprobedBoundMs:0} ms"] = violations.Count == 0,
            [$"no healthy origin shown unknown/unhealthy/stale, except on a cut-off silo within {o.StaleBoundMs:0} ms"] = reader.FalseCount == 0,
            [$"replicas equal within {SoakScenario.EqualWithinMs} ms"] = equalAfterMs is <= SoakScenario.EqualWithinMs,
            ["one cluster after every heal and at the end"] = clustersAfterHeal == 1 && f.ClustersAtEnd == 1,
            ["harness: every fault recovered, every silo rejoined"] = converged && !plan.Aborted && anomalies.Count == 0,
        };
        var pass = checks.Values.All(v => v);

        var report = new Report("soak", new Dictionary<string, object>
        {
            ["silos"] = o.Silos, ["origins"] = o.Origins, ["minutes"] = o.Minutes, ["intervalMs"] = o.IntervalMs,
            ["lossPercent"] = o.LossPercent, ["seed"] = o.Seed, ["detectionMs"] = o.DetectionMs, ["unprobedBoundMs"] = o.UnprobedBoundMs,
            ["maxFaulty"] = o.Lanes, ["membership"] = "swim (defaults)", ["partitions"] = o.Partitions, ["churnPerMinute"] = o.ChurnPerMinute,
            ["staleBoundMs"] = o.StaleBoundMs,
        });
        report.Columns("silos", "origins", "minutes", "faults (kill/stop/term)", "partitions (3/2, 1/4 with 5 silos)", "unplanned exits", "in-process rejoins",
            "churn (create/delete/re-create)", "origins lost", "origins resurrected",
            "max unprobed ms (p50/max over origins)", "over-bound count", "false health readings (excused)", "replicas equal after ms",
            "clusters after heal", "heal → one cluster ms (p50/max)", "result");
        var shapes = partitions.GroupBy(p => p.Shape).OrderByDescending(g => g.Key).Select(g => $"{g.Count()}× {g.Key}");
        report.Row($"{o.Silos}", $"{o.Origins}", $"{o.Minutes}", $"{Count("kill")}/{Count("stop")}/{Count("term")}",
            o.Partitions ? (partitions.Count == 0 ? "0" : string.Join(", ", shapes)) : "off", $"{Count("unplanned")}", $"{rejoins.Count}",
            $"{churned.Creates}/{churned.Deletes}/{churned.Recreates}", $"{lost.Count}", $"{f.Resurrected.Count}",
            $"{gaps.P50:0} / {gaps.Max:0}", $"{violations.Count}", $"{reader.FalseCount} ({reader.ExcusedCount})",
            equalAfterMs is { } e ? $"{e:0}" : $"> {SoakScenario.EqualGiveUpMs}",
            $"{clustersAfterHeal} (end {f.ClustersAtEnd})", healMs.Count == 0 ? "-" : $"{healMs.P50:0} / {healMs.Max:0}", pass ? "PASS" : "FAIL");
        report.Results["result"] = pass ? "PASS" : "FAIL";
        report.Results["checks"] = checks;
        report.Results["faults"] = events;
        report.Results["originsLost"] = lost;
        report.Results["originsResurrected"] = f.Resurrected;
        report.Results["partitions"] = partitions;
        report.Results["inProcessRejoins"] = rejoins;
        report.Results["churn"] = new { creates = churned.Creates, deletes = churned.Deletes, recreates = churned.Recreates, existing = churn.Existing(), deleted = churn.Deleted(), uncertain = churn.Uncertain() };
        report.Results["clustersAtEnd"] = f.ClustersAtEnd;
        report.Results["maxUnprobedMs"] = gaps;
        report.Results["maxUnprobedMsPerOrigin"] = ids.Zip(sampler.MaxGapMs).ToDictionary(p => p.First, p => Math.Round(p.Second));
        report.Results["violations"] = violations;
        var detection = new[] { "kill", "stop", "term" }.ToDictionary(a => a,
            a => Stats.Of(events.Where(e => e.Action == a && e.DeclaredDeadAfterMs is not null).Select(e => e.DeclaredDeadAfterMs!.Value).ToList()));
        report.Results["declaredDeadAfterMs"] = detection.ToDictionary(d => d.Key, d => d.Value.Count == 0 ? null : d.Value); // no NaN in JSON
        report.Results["replicasEqualAfterMs"] = equalAfterMs ?? (object)"not within 30000";
        report.Results["replicaDifferences"] = differences.Take(50).ToList();
        report.Results["replicaEqualityTrace"] = f.EqualityTrace;
        report.Results["finalStatuses"] = statuses;
        report.Results["samplerStallsMs"] = sampler.Stalls.Select(s => Math.Round(Stopwatch.GetElapsedTime(s.From, s.To).TotalMilliseconds)).ToList();
        report.Results["injectedSwimDrops"] = new { dropped = transport.Sum(t => t.Injected), packets = transport.Sum(t => t.Packets), note = "current generations only" };
        report.Results["anomalies"] = anomalies;
        report.Results["nonHealthyReadings"] = new { lists = reader.Readings, count = reader.FalseCount, items = falseReadings, excusedCount = reader.ExcusedCount, excused = reader.ExcusedReadings() };
        report.Results["replicaStats"] = f.ReplicaStats;
        report.Results["log"] = log.Lines();
        report.Print(output);
        foreach (var (check, ok) in checks) output.WriteLine($"- {check}: {(ok ? "pass" : "FAIL")}");
        output.WriteLine("- faulted generation declared dead (or left) on every live silo after the signal, ms: " + string.Join("; ",
            detection.Select(d => $"{d.Key} {(d.Value.Count == 0 ? "none" : $"n={d.Value.Count} p50 {d.Value.P50:0} max {d.Value.Max:0}")}")));
        output.WriteLine($"- readers saw a healthy target's origin as not healthy (or stale) {reader.FalseCount} times in {reader.Readings} full lists"
            + $", plus {reader.ExcusedCount} times on a cut-off silo within the staleness bound"
            + (falseReadings.Count > 0 ? $"; e.g. {string.Join("; ", falseReadings.Take(5))}" : ""));
        output.WriteLine($"- in-process rejoins (generation changed without a restart by the soak): {rejoins.Count}"
            + (rejoins.Count > 0 ? ": " + string.Join("; ", rejoins.Take(10).Select(r => $"node{r.Node} gen {r.FromGeneration}->{r.ToGeneration} at +{r.AtS:0.0} s ({r.Faults})")) : ""));
        foreach (var p in partitions)
            output.WriteLine($"- partition #{p.Seq} {p.Shape} cutting node{string.Join(",node", p.Minority)} at +{p.AtS:0.0} s for {p.HoldMs} ms: "
                + (p.OneClusterAfterMs is { } ms ? $"one cluster {ms:0} ms after the heal" : $"{p.ClustersAfterHeal} member sets after the wait"));
        foreach (var r in f.Resurrected.Take(10)) output.WriteLine($"- resurrected: {r}");
        foreach (var l in lost.Take(10)) output.WriteLine($"- lost: {l}");
        output.WriteLine($"- injected SWIM packet drops (current generations): {transport.Sum(t => t.Injected)} of {transport.Sum(t => t.Packets)} packets");
        foreach (var v in violations.Take(10)) output.WriteLine($"- over bound: {v.Origin} unprobed {v.GapMs:0} ms from +{v.FromS:0.0} s during {v.Faults}");
        foreach (var a in anomalies.Take(10)) output.WriteLine($"- anomaly: {a}");
        foreach (var d in differences.Take(10)) output.WriteLine($"- difference: {d}");
        output.WriteLine();
        if (!pass || o.Logs is not null) await WriteLogsAsync(o, cluster, output);
        if (o.Out is { } path) await report.WriteJsonAsync(path);
        return pass ? 0 : 1;
    }

    /// <summary>On failure, keeps every generation's silo log for the investigation.</summary>
    public static async Task WriteLogsAsync(SoakScenario.Options o, RestartableCluster cluster, TextWriter output)
    {
        var dir = o.Logs is { } chosen ? Directory.CreateDirectory(chosen).FullName : Directory.CreateTempSubdirectory($"heck-soak-{o.Seed}-").FullName;
        foreach (var node in cluster.Nodes)
        {
            var text = new StringBuilder();
            for (var g = 0; g < node.PastOutput.Count; g++) text.Append($"===== {node} start {g + 1}\n").Append(node.PastOutput[g]);
            if (!node.Down) text.Append($"===== {node} start {node.PastOutput.Count + 1} (current)\n").Append(node.Process.Output);
            await File.WriteAllTextAsync(Path.Combine(dir, $"{node}.log"), text.ToString());
        }
        output.WriteLine($"Silo logs: {dir}");
    }

    /// <summary>SWIM packets this generation threw away by injected loss, and all it sent and received.</summary>
    public static async Task<(long Injected, long Packets)> TransportAsync(SiloProcess silo, CancellationToken ct)
    {
        try
        {
            var doc = await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members", ct);
            if (!doc.TryGetProperty("transport", out var t) || t.ValueKind != JsonValueKind.Object) return (0, 0);
            var injected = t.TryGetProperty("dropped", out var d) && d.TryGetProperty("injected", out var i) ? i.GetInt64() : 0;
            return (injected, t.GetProperty("udpPacketsSent").GetInt64() + t.GetProperty("udpPacketsReceived").GetInt64());
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or JsonException or KeyNotFoundException or ObjectDisposedException)
        {
            return (0, 0);
        }
    }
}
