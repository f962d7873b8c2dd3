namespace Heck.Benchmarks.Measurement;

/// <summary>
/// The messages a cluster has sent, summed over its silos' <c>/api/cluster/traffic</c>: Orleans
/// messages to other silos (the network cost of coordination) and to grains in the same silo.
/// Read before and after a load; the difference over the operations is messages per operation.
/// </summary>
public readonly record struct ClusterTraffic(long Remote, long Local, long GossipDeltas)
{
    public static ClusterTraffic operator -(ClusterTraffic after, ClusterTraffic before) =>
        new(after.Remote - before.Remote, after.Local - before.Local, after.GossipDeltas - before.GossipDeltas);

    public static async Task<ClusterTraffic> ReadAsync(IEnumerable<HttpClient> silos, CancellationToken ct)
    {
        var each = await Task.WhenAll(silos.Select(async http =>
        {
            var body = await ReadOneAsync(http, ct);
            var orleans = body.GetProperty("orleans");
            return new ClusterTraffic(orleans.GetProperty("messagesSent").GetInt64(), orleans.GetProperty("localMessagesSent").GetInt64(),
                body.GetProperty("gossip").GetProperty("deltasSent").GetInt64());
        }));
        return new ClusterTraffic(each.Sum(t => t.Remote), each.Sum(t => t.Local), each.Sum(t => t.GossipDeltas));
    }

    /// <summary>A busy silo may miss one answer: up to 5 tries, 300 ms apart; the last failure is thrown.</summary>
    private static async Task<JsonElement> ReadOneAsync(HttpClient http, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await http.GetFromJsonAsync<JsonElement>("/api/cluster/traffic", ct); }
            catch (Exception ex) when (attempt < 5 && !ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(300, ct);
            }
        }
    }
}
