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
            var body = await http.GetFromJsonAsync<JsonElement>("/api/cluster/traffic", ct);
            var orleans = body.GetProperty("orleans");
            return new ClusterTraffic(orleans.GetProperty("messagesSent").GetInt64(), orleans.GetProperty("localMessagesSent").GetInt64(),
                body.GetProperty("gossip").GetProperty("deltasSent").GetInt64());
        }));
        return new ClusterTraffic(each.Sum(t => t.Remote), each.Sum(t => t.Local), each.Sum(t => t.GossipDeltas));
    }
}
