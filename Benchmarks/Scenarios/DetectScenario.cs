using System.Diagnostics;
using Heck.Benchmarks.Harness;

namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Failure detection: N silo processes joined by SWIM; each round SIGKILLs (a crash) or SIGSTOPs
/// (a hang) one silo other than the seed and times until every survivor's
/// <c>/api/cluster/members</c> shows it dead, then replaces it with a fresh process. Survivors are
/// polled every 20 ms, so figures are at most ~20 ms late.
/// </summary>
public static class DetectScenario
{
    public sealed record Options(int Silos, int Rounds, string Faults, string? Out);

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        var faults = o.Faults.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = faults.Except(["kill", "stop"]).ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"--faults: unknown fault(s) {string.Join(", ", unknown)}; use kill, stop or kill,stop");
            return 2;
        }

        await using var cluster = await LocalCluster.StartAsync(o.Silos, ct);
        var results = faults.ToDictionary(f => f, _ => new List<double>());
        var random = new Random(7);
        for (var round = 0; round < o.Rounds; round++)
        {
            foreach (var fault in faults)
            {
                var index = 1 + random.Next(cluster.Silos.Count - 1); // never the seed, so replacements can join
                var victim = cluster.Silos[index];
                var id = await LocalCluster.SelfAsync(victim);
                var survivors = cluster.Silos.Where(s => s != victim).ToList();
                var clock = Stopwatch.StartNew();
                if (fault == "kill") victim.Kill(); else victim.Pause();
                await LocalCluster.WaitAsync(async () => (await Task.WhenAll(survivors.Select(s => LocalCluster.StatusOfAsync(s, id)))).All(s => s == "dead"),
                    TimeSpan.FromSeconds(60), $"{id} dead everywhere", ct);
                results[fault].Add(clock.Elapsed.TotalMilliseconds);
                await cluster.ReplaceAsync(index, ct);
            }
        }

        var report = new Report("detect", new Dictionary<string, object>
        {
            ["silos"] = o.Silos, ["rounds"] = o.Rounds, ["membership"] = "swim (defaults)",
        });
        report.Columns("fault", "rounds", "min ms", "p50 ms", "max ms", "goal");
        foreach (var (fault, times) in results)
        {
            var st = Stats.Of(times);
            report.Row(fault == "kill" ? "SIGKILL (crash)" : "SIGSTOP (hang)", $"{st.Count}", $"{st.Min:0}", $"{st.P50:0}", $"{st.Max:0}", "median ≤ 2000 ms");
            report.Results[fault] = st;
        }
        report.Print(output);
        if (o.Out is { } path) await report.WriteJsonAsync(path);
        return 0;
    }
}
