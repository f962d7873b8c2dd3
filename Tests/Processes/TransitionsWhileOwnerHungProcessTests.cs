using Xunit.Abstractions;

namespace Heck.Tests.Processes;

/// <summary>
/// Two real silo processes: an origin's transitions are read and watched on the silo that does not
/// own it, also while the owner is hung (SIGSTOP).
/// </summary>
[Trait("Category", "Process")]
[Collection(ClusterCollection.Name)]
public sealed class TransitionsWhileOwnerHungProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TargetServer _target = null!;
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _target = await TargetServer.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _cluster = await LocalCluster.StartAsync(2, cts.Token, "--Heck:Gossip:IntervalMs=100");
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _cluster.Silos) s.Resume();
        await _cluster.DisposeAsync();
        await _target.DisposeAsync();
    }

    private static async Task<List<JsonElement>> ItemsAsync(SiloProcess silo, CancellationToken ct = default)
    {
        using var response = await silo.Http.GetAsync("/api/origins/hung/transitions", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return []; // gossip has not brought it yet
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("items").EnumerateArray()];
    }

    private static (long, long, int, string, long) Stamp(JsonElement item)
    {
        var s = item.GetProperty("stamp");
        return (s.GetProperty("generation").GetInt64(), s.GetProperty("hlc").GetProperty("wallMs").GetInt64(), s.GetProperty("hlc").GetProperty("counter").GetInt32(),
            s.GetProperty("dot").GetProperty("replica").GetString()!, s.GetProperty("dot").GetProperty("counter").GetInt64());
    }

    [Fact]
    public async Task A_non_owner_lists_and_streams_the_transitions_in_causal_order_while_the_owner_is_hung()
    {
        var (a, b) = (_cluster.Silos[0], _cluster.Silos[1]);
        (await a.Http.PutAsJsonAsync("/api/origins/hung",
            new { url = _target.Url("/hung"), intervalMs = 200, healthyThreshold = 1, unhealthyThreshold = 1 })).EnsureSuccessStatusCode();
        // The write went to the owner's grain: this silo's replica may lack it for a moment (404).
        var owner = await Eventually.Until(async () =>
        {
            using var response = await a.Http.GetAsync("/api/origins/hung");
            return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("health").TryGetProperty("owner", out var o)
                ? o.GetString()
                : null;
        }, o => o is not null, TimeSpan.FromSeconds(20), "an owner probes it");
        var ownerProcess = (await LocalCluster.SelfAsync(a)).Address == owner ? a : b;
        var reader = ownerProcess == a ? b : a;

        // A watcher on the non-owner, from now on.
        using var watch = await reader.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/watch?origin=hung"), HttpCompletionOption.ResponseHeadersRead);
        using var events = new StreamReader(await watch.Content.ReadAsStreamAsync());
        Assert.Equal(": watching", await events.ReadLineAsync());

        // Listed after the watch opened: whatever is newer than this reached the reader (and its log) later.
        var listed = await ItemsAsync(reader);
        var mark = listed.Count > 0 ? Stamp(listed[^1]) : ((long, long, int, string, long)?)null;
        int Newer(List<JsonElement> items) => items.Count(i => mark is null || Stamp(i).CompareTo(mark.Value) > 0);
        // Flip the target until two transitions newer than the mark reached the reader (a probe that times
        // out on a busy host may flip it too, so no particular sequence is expected).
        var before = listed;
        for (var round = 0; round < 30 && Newer(before) < 2; round++)
        {
            _target.Set("/hung", round % 2 == 0 ? TargetMode.Failing : TargetMode.Healthy);
            await Task.Delay(700);
            before = await ItemsAsync(reader);
        }
        Assert.True(Newer(before) >= 2, $"{Newer(before)} new transitions reached the reader");

        ownerProcess.Pause();
        // Answered from the reader's replica: a call to the hung owner would wait for Orleans' 30 s response timeout.
        var took = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var items = await ItemsAsync(reader, quick.Token);
            took.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(before.Select(Stamp), items.Select(Stamp));
        }
        output.WriteLine($"/transitions on the reader while the owner is stopped: {string.Join(", ", took.Select(t => $"{t:F0}"))} ms");
        var stamps = before.Select(Stamp).ToList();
        Assert.Equal(stamps.Order(), stamps);
        // The owner's (a loaded host may also have handed the origin over for a while: still one order).
        Assert.Contains(stamps, s => s.Item4.StartsWith(owner! + "@", StringComparison.Ordinal));

        // The watcher saw the same transitions in the same order: all of those since it opened, up to the newest.
        var watched = new List<(long, long, int, string, long)>();
        using var read = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while ((watched.Count == 0 || watched[^1] != stamps[^1]) && await events.ReadLineAsync(read.Token) is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal)) watched.Add(Stamp(JsonDocument.Parse(line[6..]).RootElement));
        Assert.True(watched.Count >= 2, $"the watcher saw {watched.Count}");
        Assert.Equal(stamps[^watched.Count..], watched);
    }
}
