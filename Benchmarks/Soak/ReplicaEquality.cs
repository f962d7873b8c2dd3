namespace Heck.Benchmarks.Soak;

/// <summary>
/// Whether every silo's replica shows the same thing (see <see cref="SoakScenario"/> for what
/// "equal" means), and how long after the faults stop that takes.
/// </summary>
internal sealed class ReplicaEquality(SoakScenario.Options o, string[] ids, SoakTarget target)
{
    /// <summary>One origin as one silo's API lists it.</summary>
    public sealed record OriginState(string Spec, string Url, int IntervalMs, string Status, string? ObservedBy, DateTimeOffset? ObservedAt, bool Stale = false);

    /// <summary>Polls every silo until their views are equal or <see cref="SoakScenario.EqualGiveUpMs"/> has passed since <paramref name="stoppedAt"/>.</summary>
    public async Task<(double? EqualAfterMs, List<string> Differences, List<string> Trace, IReadOnlyList<Dictionary<string, OriginState>?> Views)> WaitAsync(
        RestartableCluster cluster, long stoppedAt, CancellationToken ct)
    {
        double? equalAfterMs = null;
        List<string> differences = [];
        var trace = new List<string>(); // differences per poll, to see what converges and what is stuck
        IReadOnlyList<Dictionary<string, OriginState>?> views = [];
        for (var poll = 0; poll < SoakScenario.EqualGiveUpMs / SoakScenario.SampleMs; poll++)
        {
            views = await Task.WhenAll(cluster.Nodes.Select(n => ViewAsync(n.Process, ct)));
            differences = Differences(views);
            if (poll % 10 == 0 || differences.Count == 0)
                trace.Add($"+{Stopwatch.GetElapsedTime(stoppedAt).TotalMilliseconds:0} ms: {differences.Count} differences{(differences.Count > 0 ? ", e.g. " + string.Join("; ", differences.Take(3)) : "")}");
            if (differences.Count == 0)
            {
                equalAfterMs = Stopwatch.GetElapsedTime(stoppedAt).TotalMilliseconds;
                break;
            }
            if (Stopwatch.GetElapsedTime(stoppedAt).TotalMilliseconds > SoakScenario.EqualGiveUpMs) break;
            await Task.Delay(SoakScenario.SampleMs, ct);
        }
        return (equalAfterMs, differences, trace, views);
    }

    public static async Task<Dictionary<string, OriginState>?> ViewAsync(SiloProcess silo, CancellationToken ct)
    {
        try
        {
            var list = await silo.Http.GetFromJsonAsync<JsonElement>("/api/origins", ct);
            var view = new Dictionary<string, OriginState>();
            foreach (var item in list.GetProperty("items").EnumerateArray())
            {
                var spec = string.Join(";", item.EnumerateObject()
                    .Where(p => p.Name is not ("health" or "observedBy" or "observedAt" or "replicatedAt"))
                    .Select(p => $"{p.Name}={p.Value.GetRawText()}"));
                var health = item.GetProperty("health");
                view[item.GetProperty("id").GetString()!] = new OriginState(spec, item.GetProperty("url").GetString()!,
                    item.GetProperty("intervalMs").GetInt32(), health.GetProperty("status").GetString()!,
                    item.TryGetProperty("observedBy", out var by) ? by.GetString() : null,
                    item.TryGetProperty("observedAt", out var at) ? at.GetDateTimeOffset() : null,
                    health.TryGetProperty("stale", out var stale) && stale.ValueKind == JsonValueKind.True);
            }
            return view;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or JsonException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Everything that keeps the replicas from being equal (see the class remarks); empty when equal.</summary>
    public List<string> Differences(IReadOnlyList<Dictionary<string, OriginState>?> views)
    {
        var diffs = new List<string>();
        for (var k = 0; k < views.Count; k++)
            if (views[k] is null) diffs.Add($"node{k} did not answer");
        if (diffs.Count > 0) return diffs;
        var registered = ids.ToHashSet();
        foreach (var id in views.SelectMany(v => v!.Keys).Concat(ids).Distinct().Order(StringComparer.Ordinal))
        {
            var missing = Enumerable.Range(0, views.Count).Where(k => !views[k]!.ContainsKey(id)).ToList();
            if (!registered.Contains(id)) diffs.Add($"{id}: listed but never registered");
            if (missing.Count > 0)
            {
                diffs.Add($"{id}: missing on {string.Join(", ", missing.Select(k => $"node{k}"))}");
                continue;
            }
            var states = views.Select(v => v![id]).ToList();
            string Each(Func<OriginState, object?> field) => string.Join(", ", states.Select((s, k) => $"node{k}={field(s)}"));
            if (states.Any(s => s.Url != target.Url($"/{id}") || s.IntervalMs != o.IntervalMs)) diffs.Add($"{id}: spec is not the registered one: {Each(s => s.Url)}");
            if (states.Select(s => s.Spec).Distinct().Count() > 1) diffs.Add($"{id}: specs differ");
            if (states.Select(s => s.Status).Distinct().Count() > 1) diffs.Add($"{id}: status differs: {Each(s => s.Status)}");
            if (states.Select(s => s.ObservedBy).Distinct().Count() > 1) diffs.Add($"{id}: observedBy differs: {Each(s => s.ObservedBy)}");
            if (states.Any(s => s.ObservedAt is null)) diffs.Add($"{id}: never observed on some silo: {Each(s => s.ObservedAt?.ToString("HH:mm:ss.fff"))}");
            else
            {
                var spread = (states.Max(s => s.ObservedAt!.Value) - states.Min(s => s.ObservedAt!.Value)).TotalMilliseconds;
                if (spread > 1.5 * o.IntervalMs) diffs.Add($"{id}: observations {spread:0} ms apart: {Each(s => $"{s.ObservedAt!.Value:HH:mm:ss.fff} by {s.ObservedBy}")}");
            }
        }
        return diffs;
    }
}
