namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Failover gap: N silos probe M origins on a local target; each round SIGKILLs a silo that owns
/// some of them and times, at the target, until every origin it owned is probed again (by its new
/// owner). Expect about failure detection plus up to one probe interval.
/// </summary>
public static class FailoverScenario
{
    public sealed record Options(int Silos, int Origins, int IntervalMs, int Rounds, string? Out);

    public static Command Command()
    {
        var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 5 };
        var origins = new Option<int>("--origins") { DefaultValueFactory = _ => 50 };
        var interval = CommonOptions.IntervalMs(1000, description: null);
        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 3 };
        var output = CommonOptions.Out();
        var command = new Command("failover", "Time from SIGKILL of an owner until each of its origins is probed again")
        {
            silos, origins, interval, rounds, output,
        };
        command.SetAction((parse, ct) => RunAsync(new Options(
            Math.Clamp(parse.GetValue(silos), 3, 20), Math.Clamp(parse.GetValue(origins), 1, 10_000),
            Math.Clamp(parse.GetValue(interval), 100, 60_000), Math.Clamp(parse.GetValue(rounds), 1, 50),
            parse.GetValue(output)), Console.Out, ct));
        return command;
    }

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        await using var target = await TargetServer.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(o.Silos, ct);
        var api = cluster.Silos[0].Http;
        for (var i = 0; i < o.Origins; i++)
            (await api.PutAsJsonAsync($"/api/origins/f{i}", new { url = target.Url($"/f{i}"), intervalMs = o.IntervalMs }, ct)).EnsureSuccessStatusCode();
        await LocalCluster.WaitAsync(async () => (await OwnersAsync(api, o.Origins, ct)).Values.All(v => v is not null),
            TimeSpan.FromSeconds(60), "every origin probed", ct);

        var gaps = new List<double>();
        var moved = new List<int>();
        var random = new Random(11);
        for (var round = 0; round < o.Rounds; round++)
        {
            var index = 1 + random.Next(cluster.Silos.Count - 1);
            var victim = cluster.Silos[index];
            var (address, _) = await LocalCluster.SelfAsync(victim);
            var reader = cluster.Silos[index == 1 ? 2 : 1];
            var owned = (await OwnersAsync(reader.Http, o.Origins, ct)).Where(p => p.Value == address).Select(p => p.Key).ToList();
            var killedAt = Stopwatch.GetTimestamp();
            victim.Kill();
            await LocalCluster.WaitAsync(() => Task.FromResult(owned.All(id => target.LastHit($"/{id}") > killedAt)),
                TimeSpan.FromSeconds(60), "every origin of the killed silo probed again", ct);
            gaps.AddRange(owned.Select(id => Stopwatch.GetElapsedTime(killedAt, target.LastHit($"/{id}")).TotalMilliseconds));
            moved.Add(owned.Count);
            await cluster.ReplaceAsync(index, ct);
            await Task.Delay(2 * o.IntervalMs, ct); // let ownership settle before the next round
        }

        var report = new Report("failover", new Dictionary<string, object>
        {
            ["silos"] = o.Silos, ["origins"] = o.Origins, ["intervalMs"] = o.IntervalMs, ["rounds"] = o.Rounds,
        });
        var st = Stats.Of(gaps);
        report.Columns("rounds", "origins moved per round", "gap min ms", "gap p50 ms", "gap max ms");
        report.Row($"{o.Rounds}", string.Join(", ", moved), $"{st.Min:0}", $"{st.P50:0}", $"{st.Max:0}");
        report.Results["gapMs"] = st;
        report.Results["moved"] = moved;
        await report.PublishAsync(output, o.Out);
        return 0;
    }

    private static async Task<Dictionary<string, string?>> OwnersAsync(HttpClient api, int origins, CancellationToken ct)
    {
        var list = await api.GetFromJsonAsync<JsonElement>("/api/origins", ct);
        var owners = Enumerable.Range(0, origins).ToDictionary(i => $"f{i}", _ => (string?)null);
        foreach (var item in list.GetProperty("items").EnumerateArray())
            if (item.GetProperty("health").TryGetProperty("owner", out var owner) && owner.GetString() is { } o
                && item.GetProperty("health").TryGetProperty("lastProbeAt", out _))
                owners[item.GetProperty("id").GetString()!] = o;
        return owners;
    }
}
