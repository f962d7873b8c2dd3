using Heck.Grains.Replica;

namespace Heck.Tests.Grains;

/// <summary>
/// Issue 10, item 4, "restart after prune": three real silo hosts in this process, one stopped, an
/// origin deleted and its tombstone pruned (the stopped silo is waited for only for the retention,
/// shortened here), then the stopped silo restarted on its own data. It must not bring the
/// deleted origin back, and every silo must answer 404 for it.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class RestartAfterPruneClusterTests : IAsyncLifetime
{
    private const int RetentionMs = 3000;
    private readonly List<TempDirectory> _data = [];
    private readonly List<InProcessSilo> _silos = [];
    private int _seedSwimPort;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos) await silo.DisposeAsync();
        foreach (var d in _data) d.Dispose();
    }

    private async Task<InProcessSilo> StartAsync(TempDirectory data, bool seed)
    {
        var swim = FreePort.Next();
        if (!seed) _seedSwimPort = swim;
        var args = new List<string>
        {
            $"--Heck:Swim:Port={swim}", "--Heck:Gossip:IntervalMs=50", "--Heck:Gossip:AntiEntropyIntervalMs=200",
            $"--Heck:Gossip:ReplicaRetentionMs={RetentionMs}",
        };
        if (seed) args.Add($"--Heck:Swim:Seeds:0=127.0.0.1:{_seedSwimPort}");
        var silo = await InProcessSilo.StartAsync(data.Path, args);
        _silos.Add(silo);
        return silo;
    }

    private static LocalReplica ReplicaOf(InProcessSilo silo) => silo.Services.GetRequiredService<LocalReplica>();

    private static async Task<HttpStatusCode> GetStatusAsync(InProcessSilo silo, string id)
    {
        using var response = await silo.Http.GetAsync($"/api/origins/{id}");
        return response.StatusCode;
    }

    [Fact]
    public async Task A_silo_restarted_on_its_journal_after_the_tombstone_was_pruned_does_not_bring_the_origin_back()
    {
        foreach (var _ in Enumerable.Range(0, 3)) _data.Add(new TempDirectory());
        var a = await StartAsync(_data[0], seed: false);
        var b = await StartAsync(_data[1], seed: true);
        var c = await StartAsync(_data[2], seed: true);
        foreach (var id in new[] { "doomed", "kept" })
        {
            using var put = await a.Http.PutAsJsonAsync($"/api/origins/{id}", new { url = "tcp://127.0.0.1:9", intervalMs = 60_000 });
            Assert.True(put.IsSuccessStatusCode, $"PUT {id}: {put.StatusCode}");
        }
        await Eventually.True(() => new[] { a, b, c }.All(s => ReplicaOf(s).Spec("doomed") is not null && ReplicaOf(s).Spec("kept") is not null),
            TimeSpan.FromSeconds(30), "every replica has both origins");

        // C stops with "doomed" live in its journal; the origin is deleted while C is down.
        _silos.Remove(c);
        await c.DisposeAsync();
        using (var delete = await a.Http.DeleteAsync("/api/origins/doomed"))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        // The survivors wait for C for the retention, then prune the tombstone.
        await Eventually.True(() => ReplicaOf(a).State.Registry.Get("doomed") is null && ReplicaOf(b).State.Registry.Get("doomed") is null,
            TimeSpan.FromSeconds(60), "the survivors pruned the tombstone");

        var restarted = await StartAsync(_data[2], seed: true);
        await Eventually.True(() => !ReplicaOf(restarted).IsHoldingBackJournal && ReplicaOf(restarted).Spec("kept") is not null,
            TimeSpan.FromSeconds(30), "the restarted silo caught up with the cluster");
        await Eventually.True(() => new[] { a, b, restarted }.All(s => ReplicaOf(s).State.Registry.Get("doomed") is null),
            TimeSpan.FromSeconds(30), "no replica holds the deleted origin");
        foreach (var silo in new[] { a, b, restarted })
        {
            Assert.Equal(HttpStatusCode.NotFound, await GetStatusAsync(silo, "doomed"));
            Assert.Equal(HttpStatusCode.OK, await GetStatusAsync(silo, "kept"));
            var list = await silo.Http.GetFromJsonAsync<JsonElement>("/api/origins");
            Assert.Equal(["kept"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        }
        // Its journal no longer holds the row either: a second restart cannot bring it back.
        Assert.Equal(1, restarted.Services.GetRequiredService<RegistryJournal>().RowCount());
    }
}
