using System.Text;

namespace Heck.Benchmarks.Soak;

/// <summary>The soak's verdict: its checks, the markdown table and summary lines, the JSON, and the silo logs on FAIL.</summary>
internal sealed class SoakReport(SoakScenario.Options o, RestartableCluster cluster, string[] ids, SoakLog log, FaultPlan plan, GapSampler sampler,
    HealthReader reader)
{
    /// <summary>What the run found once the faults stopped.</summary>
    public sealed record Findings(
        bool Converged, double? EqualAfterMs, List<string> Differences, List<string> EqualityTrace, List<string> Lost,
        Dictionary<string, int> Statuses, (long Injected, long Packets)[] Transport, object[] ReplicaStats);

    public async Task<int> WriteAsync(TextWriter output, Findings f)
    {
        var (converged, equalAfterMs, differences, lost, statuses, transport) = (f.Converged, f.EqualAfterMs, f.Differences, f.Lost, f.Statuses, f.Transport);
        var events = plan.Events();
        int Count(string action) => events.Count(e => e.Action == action);
        var gaps = Stats.Of(sampler.MaxGapMs);
        var violations = sampler.Violations();
        var anomalies = log.Anomalies();
        var falseReadings = reader.FalseReadings();

        var checks = new Dictionary<string, bool>
        {
            ["no registered origin lost"] = lost.Count == 0,
            [$"no origin unprobed longer than {o.UnprobedBoundMs:0} ms"] = violations.Count == 0,
            [$"replicas equal within {SoakScenario.EqualWithinMs} ms"] = equalAfterMs is <= SoakScenario.EqualWithinMs,
            ["harness: every fault recovered, every silo rejoined"] = converged && !plan.Aborted && anomalies.Count == 0,
        };
        var pass = checks.Values.All(v => v);

        var report = new Report("soak", new Dictionary<string, object>
        {
            ["silos"] = o.Silos, ["origins"] = o.Origins, ["minutes"] = o.Minutes, ["intervalMs"] = o.IntervalMs,
            ["lossPercent"] = o.LossPercent, ["seed"] = o.Seed, ["detectionMs"] = o.DetectionMs, ["unprobedBoundMs"] = o.UnprobedBoundMs,
            ["maxFaulty"] = o.Lanes, ["membership"] = "swim (defaults)",
        });
        report.Columns("silos", "origins", "minutes", "faults (kill/stop/term)", "unplanned exits", "origins lost",
            "max unprobed ms (p50/max over origins)", "over-bound count", "replicas equal after ms", "result");
        report.Row($"{o.Silos}", $"{o.Origins}", $"{o.Minutes}", $"{Count("kill")}/{Count("stop")}/{Count("term")}", $"{Count("unplanned")}",
            $"{lost.Count}", $"{gaps.P50:0} / {gaps.Max:0}", $"{violations.Count}",
            equalAfterMs is { } e ? $"{e:0}" : $"> {SoakScenario.EqualGiveUpMs}", pass ? "PASS" : "FAIL");
        report.Results["result"] = pass ? "PASS" : "FAIL";
        report.Results["checks"] = checks;
        report.Results["faults"] = events;
        report.Results["originsLost"] = lost;
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
        report.Results["nonHealthyReadings"] = new { lists = reader.Readings, items = falseReadings };
        report.Results["replicaStats"] = f.ReplicaStats;
        report.Results["log"] = log.Lines();
        report.Print(output);
        foreach (var (check, ok) in checks) output.WriteLine($"- {check}: {(ok ? "pass" : "FAIL")}");
        output.WriteLine("- faulted generation declared dead (or left) on every live silo after the signal, ms: " + string.Join("; ",
            detection.Select(d => $"{d.Key} {(d.Value.Count == 0 ? "none" : $"n={d.Value.Count} p50 {d.Value.P50:0} max {d.Value.Max:0}")}")));
        output.WriteLine($"- readers saw a healthy target's origin as not healthy {falseReadings.Count} times in {reader.Readings} full lists (info, not a check)"
            + (falseReadings.Count > 0 ? $", e.g. {string.Join("; ", falseReadings.Take(3))}" : ""));
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
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return (0, 0);
        }
    }
}
