using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
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
        var unknown = o.Faults.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Except(["kill", "stop"]).ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"--faults: unknown fault(s) {string.Join(", ", unknown)}; use kill, stop or kill,stop");
            return 2;
        }
        var data = new List<TempDirectory>();
        var silos = new List<SiloProcess>();
        var seedSwim = FreePort.Next();
        try
        {
            async Task<SiloProcess> Start(bool seed)
            {
                var dir = new TempDirectory();
                data.Add(dir);
                var args = new List<string>
                {
                    $"--Heck:Storage:Path={dir.Path}", $"--Heck:Silo:Port={FreePort.Next()}", $"--Heck:Silo:GatewayPort={FreePort.Next()}",
                    $"--Heck:Swim:Port={(seed ? seedSwim : FreePort.Next())}",
                };
                if (!seed) args.Add($"--Heck:Swim:Seeds:0=127.0.0.1:{seedSwim}");
                return await SiloProcess.StartAsync(FreePort.Next(), args);
            }

            silos.Add(await Start(seed: true));
            for (var i = 1; i < o.Silos; i++) silos.Add(await Start(seed: false));
            await WaitAsync(async () => (await Task.WhenAll(silos.Select(AliveAsync))).All(n => n == o.Silos), TimeSpan.FromSeconds(60), "cluster formed", ct);

            var faults = o.Faults.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var results = faults.ToDictionary(f => f, _ => new List<double>());
            var random = new Random(7);
            for (var round = 0; round < o.Rounds; round++)
            {
                foreach (var fault in faults)
                {
                    var index = 1 + random.Next(silos.Count - 1); // never the seed, so replacements can join
                    var victim = silos[index];
                    var id = await SelfAsync(victim);
                    var survivors = silos.Where(s => s != victim).ToList();
                    var clock = Stopwatch.StartNew();
                    if (fault == "kill") victim.Kill(); else victim.Pause();
                    await WaitAsync(async () => (await Task.WhenAll(survivors.Select(s => StatusOfAsync(s, id)))).All(s => s == "dead"),
                        TimeSpan.FromSeconds(60), $"{id} dead everywhere", ct);
                    results[fault].Add(clock.Elapsed.TotalMilliseconds);
                    await victim.DisposeAsync();
                    silos[index] = await Start(seed: false);
                    await WaitAsync(async () => (await Task.WhenAll(silos.Select(AliveAsync))).All(n => n == o.Silos),
                        TimeSpan.FromSeconds(60), "replacement joined", ct);
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
        finally
        {
            foreach (var s in silos) await s.DisposeAsync();
            foreach (var d in data) d.Dispose();
        }
    }

    private static async Task<(string Address, int Generation)> SelfAsync(SiloProcess silo)
    {
        var self = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("self");
        return (self.GetProperty("address").GetString()!, self.GetProperty("generation").GetInt32());
    }

    private static async Task<string> StatusOfAsync(SiloProcess observer, (string Address, int Generation) member)
    {
        var members = (await observer.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
        foreach (var m in members.EnumerateArray())
            if (m.GetProperty("address").GetString() == member.Address && m.GetProperty("generation").GetInt32() == member.Generation)
                return m.GetProperty("status").GetString()!;
        return "absent";
    }

    private static async Task<int> AliveAsync(SiloProcess silo)
    {
        try
        {
            var members = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
            return members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "alive");
        }
        catch (HttpRequestException) { return 0; }
    }

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan within, string what, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > within) throw new TimeoutException($"not reached within {within.TotalSeconds} s: {what}");
            await Task.Delay(20, ct);
        }
    }
}
