namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Replication: how fast an owner's observation reaches every replica, and what gossip costs.
/// <list type="bullet">
/// <item>Latency, per gossip mode: N silos probe M origins; every silo's <c>GET /api/origins</c> is
/// polled, and for each observation (origin, <c>observedAt</c>) the time each replica merged it
/// (its own <c>replicatedAt</c>) is kept. Convergence of an observation is the latest replica's
/// merge time minus the observation time (one machine, one clock). Observations that some replica
/// skipped (superseded before a poll) are left out and counted.</item>
/// <item>Bandwidth: a larger registry whose targets flip health at a given share per second; the
/// gossip bytes each silo sent (counted as serialized) per second, with deltas and with
/// <c>Heck:Gossip:FullState</c>, at the default mode.</item>
/// </list>
/// </summary>
public static class ConvergeScenario
{
    public sealed record Options(
        int Silos, IReadOnlyList<string> Modes, int Origins, int IntervalMs, int Seconds,
        int BandwidthOrigins, int BandwidthIntervalMs, double FlipPercentPerSecond, int BandwidthSeconds, string? Out);

    public static Command Command()
    {
        var outOption = CommonOptions.Out();
        var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 5 };
        var modes = new Option<string>("--modes") { Description = "Gossip modes for the latency runs: push, pull, pushpull, comma-separated", DefaultValueFactory = _ => "push,pull,pushpull" };
        var origins = new Option<int>("--origins") { Description = "Origins in the latency runs", DefaultValueFactory = _ => 100 };
        var interval = CommonOptions.IntervalMs(1000, "Probe interval in the latency runs");
        var seconds = new Option<int>("--seconds") { Description = "Measuring time of each latency run", DefaultValueFactory = _ => 30 };
        var bwOrigins = new Option<int>("--bandwidth-origins") { Description = "Origins in the bandwidth runs (0 skips them)", DefaultValueFactory = _ => 10_000 };
        var bwInterval = new Option<int>("--bandwidth-interval-ms") { DefaultValueFactory = _ => 10_000 };
        var flip = new Option<double>("--flip-percent") { Description = "Share of origins whose target flips health every second", DefaultValueFactory = _ => 1.0 };
        var bwSeconds = new Option<int>("--bandwidth-seconds") { DefaultValueFactory = _ => 30 };
        var command = new Command("converge", "Time from an owner's observation to every replica (p50/p99) and gossip bytes, per gossip mode and delta vs full state")
        {
            silos, modes, origins, interval, seconds, bwOrigins, bwInterval, flip, bwSeconds, outOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var modeList = (parse.GetValue(modes) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(m => m.ToLowerInvariant()).Distinct().ToList();
            var unknown = modeList.Except(["push", "pull", "pushpull"]).ToList();
            if (unknown.Count > 0)
            {
                await Console.Error.WriteLineAsync($"--modes: unknown mode(s) {string.Join(", ", unknown)}; use push, pull, pushpull");
                return 2;
            }
            return await RunAsync(new Options(
                Math.Clamp(parse.GetValue(silos), 2, 20), modeList, Math.Clamp(parse.GetValue(origins), 1, 10_000),
                Math.Clamp(parse.GetValue(interval), 100, 60_000), Math.Clamp(parse.GetValue(seconds), 5, 600),
                Math.Clamp(parse.GetValue(bwOrigins), 0, 100_000), Math.Clamp(parse.GetValue(bwInterval), 500, 300_000),
                Math.Clamp(parse.GetValue(flip), 0, 100), Math.Clamp(parse.GetValue(bwSeconds), 5, 600), parse.GetValue(outOption)),
                Console.Out, ct);
        });
        return command;
    }

    private sealed record LatencyRun(string Mode, Stats Convergence, int Observations, int Skipped, double BytesPerSilo);

    private sealed record BandwidthRun(string Kind, double BytesPerSilo, double MaxBytesPerSilo, double MessagesPerSilo, long FullStateBytes);

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        await using var target = await TargetServer.StartAsync();
        var latency = new List<LatencyRun>();
        foreach (var mode in o.Modes)
        {
            await Console.Error.WriteLineAsync($"converge: latency, mode {mode}");
            latency.Add(await MeasureLatencyAsync(o, mode, target, ct));
        }
        var bandwidth = new List<BandwidthRun>();
        if (o.BandwidthOrigins > 0)
            foreach (var fullState in new[] { false, true })
            {
                await Console.Error.WriteLineAsync($"converge: bandwidth, {(fullState ? "full state" : "deltas")}");
                bandwidth.Add(await MeasureBandwidthAsync(o, fullState, target, ct));
            }

        var report = new Report("converge", new Dictionary<string, object>
        {
            ["silos"] = o.Silos, ["origins"] = o.Origins, ["intervalMs"] = o.IntervalMs, ["seconds"] = o.Seconds,
            ["bandwidthOrigins"] = o.BandwidthOrigins, ["bandwidthIntervalMs"] = o.BandwidthIntervalMs,
            ["flipPercentPerSecond"] = o.FlipPercentPerSecond, ["bandwidthSeconds"] = o.BandwidthSeconds,
        });
        report.Columns("run", "observations", "p50 ms", "p99 ms", "max ms", "gossip bytes/s per silo");
        foreach (var r in latency)
            report.Row($"latency, {r.Mode}", $"{r.Observations} ({r.Skipped} skipped)", $"{r.Convergence.P50:0}", $"{r.Convergence.P99:0}",
                $"{r.Convergence.Max:0}", $"{r.BytesPerSilo:N0}");
        foreach (var b in bandwidth)
            report.Row($"bandwidth, {b.Kind}", "", "", "", "",
                $"{b.BytesPerSilo:N0} (max {b.MaxBytesPerSilo:N0}; {b.MessagesPerSilo:0.0} msg/s; full state {b.FullStateBytes:N0} B)");
        if (bandwidth.Count == 2 && bandwidth[1].BytesPerSilo > 0)
        {
            var ratio = bandwidth[0].BytesPerSilo / bandwidth[1].BytesPerSilo;
            report.Row("delta / full state", "", "", "", "", $"{ratio:P2}");
            report.Results["deltaOverFullState"] = ratio;
        }
        report.Results["latency"] = latency;
        report.Results["bandwidth"] = bandwidth;
        await report.PublishAsync(output, o.Out);
        return 0;
    }

    private static async Task<LatencyRun> MeasureLatencyAsync(Options o, string mode, TargetServer target, CancellationToken ct)
    {
        await using var cluster = await LocalCluster.StartAsync(o.Silos, ct, $"--Heck:Gossip:Mode={mode}");
        var prefix = $"c-{mode}-";
        await RegisterAsync(cluster.Silos[0].Http, Enumerable.Range(0, o.Origins).Select(i => $"{prefix}{i}"), target, o.IntervalMs, ct);
        await LocalCluster.WaitAsync(async () => (await ObservedAsync(cluster.Silos[^1].Http, ct)).Count >= o.Origins,
            TimeSpan.FromSeconds(60), "every origin observed on the last silo", ct);

        // (origin, observedAt) -> replicatedAt per silo
        var seen = new Dictionary<(string, DateTimeOffset), DateTimeOffset[]>();
        var before = await BytesSentAsync(cluster, ct);
        var runStart = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(o.Seconds))
        {
            var views = await Task.WhenAll(cluster.Silos.Select(s => ObservedAsync(s.Http, ct)));
            for (var s = 0; s < views.Length; s++)
                foreach (var (id, observedAt, replicatedAt) in views[s])
                {
                    if (!seen.TryGetValue((id, observedAt), out var at)) seen[(id, observedAt)] = at = new DateTimeOffset[views.Length];
                    if (at[s] == default) at[s] = replicatedAt;
                }
            // Every 200 ms: accuracy comes from each replica's own replicatedAt, not from the poll,
            // and a faster poll would load the 2-core machine it measures.
            await Task.Delay(200, ct);
        }
        var bytes = (await BytesSentAsync(cluster, ct)).Zip(before, (a, b) => (a - b) / clock.Elapsed.TotalSeconds).Average();

        // The last poll's observations may not have reached everyone yet; so may the first's be
        // older than the run: keep only observations made during the run and seen everywhere.
        var complete = seen.Where(p => p.Key.Item2 >= runStart && p.Value.All(t => t != default)).ToList();
        var times = complete.Select(p => Math.Max(0, (p.Value.Max() - p.Key.Item2).TotalMilliseconds)).ToList();
        return new LatencyRun(mode, Stats.Of(times), complete.Count, seen.Count(p => p.Key.Item2 >= runStart) - complete.Count, bytes);
    }

    private static async Task<BandwidthRun> MeasureBandwidthAsync(Options o, bool fullState, TargetServer target, CancellationToken ct)
    {
        await using var cluster = await LocalCluster.StartAsync(o.Silos, ct, $"--Heck:Gossip:FullState={fullState}");
        var ids = Enumerable.Range(0, o.BandwidthOrigins).Select(i => $"b-{(fullState ? "f" : "d")}-{i}").ToList();
        try
        {
            await RegisterAsync(cluster.Silos[0].Http, ids, target, o.BandwidthIntervalMs, ct);
        }
        catch (InvalidOperationException)
        {
            await Console.Error.WriteLineAsync(string.Join('\n', cluster.Silos[0].Output.Split('\n').TakeLast(80)));
            throw;
        }
        // Every silo holds the whole registry, then one interval so every origin has an observation.
        // Polled once a second: each answer serializes the whole state to weigh it.
        var waited = Stopwatch.StartNew();
        while (!(await Task.WhenAll(cluster.Silos.Select(s => OriginCountAsync(s.Http, ct)))).All(n => n == ids.Count))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(180)) throw new TimeoutException("not every replica holds every origin within 180 s");
            await Task.Delay(1000, ct);
        }
        await Task.Delay(o.BandwidthIntervalMs, ct);

        var random = new Random(5);
        var failing = new HashSet<string>();
        var flipsPerSecond = (int)Math.Round(ids.Count * o.FlipPercentPerSecond / 100);
        var before = await StatsAsync(cluster, ct);
        var clock = Stopwatch.StartNew();
        for (var second = 0; second < o.BandwidthSeconds; second++)
        {
            for (var i = 0; i < flipsPerSecond; i++)
            {
                var path = "/" + ids[random.Next(ids.Count)];
                if (failing.Remove(path)) target.Set(path, TargetMode.Healthy);
                else
                {
                    failing.Add(path);
                    target.Set(path, TargetMode.Failing);
                }
            }
            var next = TimeSpan.FromSeconds(second + 1) - clock.Elapsed;
            if (next > TimeSpan.Zero) await Task.Delay(next, ct);
        }
        var after = await StatsAsync(cluster, ct);
        var elapsed = clock.Elapsed.TotalSeconds;
        var rates = after.Zip(before, (a, b) => (a.Bytes - b.Bytes) / elapsed).ToList();
        var messages = after.Zip(before, (a, b) => (a.Messages - b.Messages) / elapsed).Average();
        foreach (var path in failing) target.Set(path, TargetMode.Healthy);
        return new BandwidthRun(fullState ? "full state" : "deltas", rates.Average(), rates.Max(), messages, after.Max(a => a.FullStateBytes));
    }

    private static async Task RegisterAsync(HttpClient api, IEnumerable<string> ids, TargetServer target, int intervalMs, CancellationToken ct) =>
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (id, token) =>
        {
            using var response = await api.PutAsJsonAsync($"/api/origins/{id}", new { url = target.Url($"/{id}"), intervalMs }, token);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"PUT /api/origins/{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
        });

    private static async Task<List<(string Id, DateTimeOffset ObservedAt, DateTimeOffset ReplicatedAt)>> ObservedAsync(HttpClient api, CancellationToken ct)
    {
        var list = await api.GetFromJsonAsync<JsonElement>("/api/origins", ct);
        var result = new List<(string, DateTimeOffset, DateTimeOffset)>();
        foreach (var item in list.GetProperty("items").EnumerateArray())
            if (item.TryGetProperty("observedAt", out var observed) && observed.ValueKind == JsonValueKind.String &&
                item.TryGetProperty("replicatedAt", out var replicated) && replicated.ValueKind == JsonValueKind.String)
                result.Add((item.GetProperty("id").GetString()!, observed.GetDateTimeOffset(), replicated.GetDateTimeOffset()));
        return result;
    }

    private static async Task<int> OriginCountAsync(HttpClient api, CancellationToken ct) =>
        (await api.GetFromJsonAsync<JsonElement>("/api/cluster/replica", ct)).GetProperty("origins").GetInt32();

    private static async Task<long[]> BytesSentAsync(LocalCluster cluster, CancellationToken ct) =>
        (await StatsAsync(cluster, ct)).Select(s => s.Bytes).ToArray();

    private static async Task<(long Bytes, long Messages, long FullStateBytes)[]> StatsAsync(LocalCluster cluster, CancellationToken ct) =>
        await Task.WhenAll(cluster.Silos.Select(async s =>
        {
            var stats = await s.Http.GetFromJsonAsync<JsonElement>("/api/cluster/replica", ct);
            return (stats.GetProperty("bytesSent").GetInt64(), stats.GetProperty("deltasSent").GetInt64(),
                stats.GetProperty("fullStateSerializedBytes").GetInt64());
        }));
}
