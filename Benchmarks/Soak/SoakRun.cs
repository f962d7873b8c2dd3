namespace Heck.Benchmarks.Soak;

/// <summary>
/// One soak run over a started cluster: registers the origins, samples and reads while the fault
/// plan runs, then checks convergence and replica equality and hands the findings to the report.
/// </summary>
internal sealed class SoakRun(SoakScenario.Options o, RestartableCluster cluster, SoakTarget target)
{
    private readonly SoakLog _log = new();
    private readonly string[] _ids = Enumerable.Range(0, o.Origins).Select(i => $"s{i}").ToArray();

    public async Task<int> ExecuteAsync(TextWriter output, CancellationToken ct)
    {
        var plan = new FaultPlan(o, cluster, _log);
        var gaps = new GapSampler(o, _ids, target, _log, plan);
        var churn = new OriginChurn(o, target, _log, plan);
        var health = new HealthReader(o, cluster, _ids, plan, churn, _log);

        _log.Write($"clock starts at {DateTime.Now.AddSeconds(-_log.Now):HH:mm:ss.fff} local time (silo logs use local time)");
        _log.Write($"{o.Silos} silos up: {string.Join(", ", cluster.Nodes.Select(n => $"{n} {n.Address} pid {n.Process.Id} gen {n.Self.Generation}"))}");
        var api = cluster.Nodes[0].Process.Http;
        foreach (var id in _ids)
            for (var attempt = 1; ; attempt++)
            {
                using var response = await api.PutAsJsonAsync($"/api/origins/{id}", new { url = target.Url($"/{id}"), intervalMs = o.IntervalMs }, ct);
                if (response.IsSuccessStatusCode) break;
                var body = await response.Content.ReadAsStringAsync(ct);
                _log.Anomaly($"PUT /api/origins/{id} answered {(int)response.StatusCode} (attempt {attempt}): {body[..Math.Min(body.Length, 300)]}");
                if (attempt == 5) response.EnsureSuccessStatusCode();
                await Task.Delay(500, ct);
            }
        await RestartableCluster.WaitAsync(async () => _ids.All(id => target.LastHit($"/{id}") != 0)
                && (await Task.WhenAll(cluster.Nodes.Select(n => ReplicaEquality.ViewAsync(n.Process, ct)))).All(v => v is not null && _ids.All(id => v.GetValueOrDefault(id)?.Status == "healthy")),
            TimeSpan.FromSeconds(120), "every origin probed and healthy on every silo", ct);
        _log.Write($"{o.Origins} origins registered, probed and healthy everywhere; faults for {o.Minutes} min, unprobed bound {o.UnprobedBoundMs:0} ms");

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampled = gaps.RunAsync(sampling.Token);
        var read = health.RunAsync(sampling.Token);
        var churned = churn.RunAsync(TimeSpan.FromMinutes(o.Minutes), ct);
        var faulted = await plan.RunAsync(TimeSpan.FromMinutes(o.Minutes), ct);
        await churned;
        _log.Write($"faults stopped after {faulted.TotalSeconds:0.0} s");

        // All silos up and seeing each other alive: from here the replicas must converge.
        var converged = true;
        try
        {
            await RestartableCluster.WaitAsync(() => cluster.ConvergedAsync(cluster.Nodes), TimeSpan.FromSeconds(120), "every silo sees every silo alive", ct);
        }
        catch (TimeoutException ex)
        {
            converged = false;
            _log.Anomaly(ex.Message);
        }
        var stoppedAt = Stopwatch.GetTimestamp();
        _log.Write($"every silo sees every silo alive: {string.Join(", ", cluster.Nodes.Select(n => $"{n} gen {n.Self.Generation}"))}");

        // Expected now: the fixed origins and the churned ones whose last acknowledged operation created them.
        var expected = _ids.Concat(churn.Existing()).ToArray();
        var (equalAfterMs, differences, trace, views) = await new ReplicaEquality(o, expected, target).WaitAsync(cluster, stoppedAt, ct);
        _log.Write(equalAfterMs is { } e ? $"replicas equal after {e:0} ms" : $"replicas not equal within {SoakScenario.EqualGiveUpMs} ms: {differences.Count} differences, e.g. {string.Join("; ", differences.Take(5))}");
        // Lost: missing from a silo's answer (a silo that does not answer fails the equality check instead).
        var lost = expected.Where(id => views.Any(v => v is not null && !v.ContainsKey(id)) || views.All(v => v is null)).ToList();
        // Resurrected: deleted and listed again, during the run (gone, then back, on one silo) or at the end on any silo.
        var resurrected = churn.Resurrections()
            .Concat(churn.Deleted().Where(id => views.Any(v => v is not null && v.ContainsKey(id))).Select(id => $"{id} deleted, listed at the end on {string.Join(", ", cluster.Nodes.Where(n => views[n.Index]?.ContainsKey(id) == true))}"))
            .ToList();
        var clusters = await cluster.ClustersAsync();
        var statuses = views.OfType<Dictionary<string, ReplicaEquality.OriginState>>().SelectMany(v => v.Values).GroupBy(s => s.Status).ToDictionary(g => g.Key, g => g.Count());
        var transport = await Task.WhenAll(cluster.Nodes.Select(n => SoakReport.TransportAsync(n.Process, ct)));
        var replicaStats = await Task.WhenAll(cluster.Nodes.Select(async n =>
        {
            try { return (object)await n.Process.Http.GetFromJsonAsync<JsonElement>("/api/cluster/replica", ct); }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or JsonException or ObjectDisposedException) { return ex.Message; }
        }));

        await sampling.CancelAsync();
        await sampled;
        await read;

        var report = new SoakReport(o, cluster, _ids, _log, plan, gaps, health, churn);
        return await report.WriteAsync(output, new SoakReport.Findings(converged, equalAfterMs, differences, trace, lost, statuses, transport, replicaStats, resurrected, clusters));
    }

    /// <summary>On failure, keeps every generation's silo log for the investigation.</summary>
    public Task WriteLogsAsync(TextWriter output) => SoakReport.WriteLogsAsync(o, cluster, output);
}
