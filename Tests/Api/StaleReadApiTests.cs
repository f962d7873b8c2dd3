using Heck.Client.Sdk;
using Heck.Grains.Probing;

namespace Heck.Tests.Api;

/// <summary>
/// An owner that stops probing: once <see cref="Stalled"/>, a probe of a <c>/stall</c> origin never
/// returns (until the activation leaves), so no new observation is made.
/// </summary>
internal sealed class StallingProber(IOriginProber real) : IOriginProber
{
    public volatile bool Stalled;

    public async Task<ProbeResult> ProbeAsync(OriginSpec spec, CancellationToken cancellationToken)
    {
        if (Stalled && spec.Url.Contains("/stall", StringComparison.Ordinal))
            await Task.Delay(Timeout.Infinite, cancellationToken);
        return await real.ProbeAsync(spec, cancellationToken);
    }
}

/// <summary>Staleness made explicit (item 3 of issue 10): the real silo host, an owner that stops probing.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class StaleReadApiTests : IAsyncLifetime
{
    private readonly StallingProber _prober = new(new OriginProber(TimeProvider.System));
    private TargetServer _target = null!;
    private InProcessSilo _silo = null!;

    public async Task InitializeAsync()
    {
        _target = await TargetServer.StartAsync();
        _silo = await InProcessSilo.StartAsync(customize: b => b.Services.AddSingleton<IOriginProber>(_prober));
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        await _target.DisposeAsync();
    }

    private static string[] Ids(JsonElement list) =>
        list.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToArray();

    [Fact]
    public async Task A_verdict_older_than_the_bound_reads_unknown_and_stale_in_get_list_filter_and_sdk()
    {
        // Bound at a 200 ms interval: max(600, 200 + 5000) = 5.2 s.
        (await _silo.Http.PutAsJsonAsync("/api/origins/stall", new { url = _target.Url("/stall"), intervalMs = 200, timeoutMs = 150 })).EnsureSuccessStatusCode();
        (await _silo.Http.PutAsJsonAsync("/api/origins/live", new { url = _target.Url("/live"), intervalMs = 200, timeoutMs = 150 })).EnsureSuccessStatusCode();
        (await _silo.Http.PutAsJsonAsync("/api/origins/never", new { url = _target.Url("/never"), intervalMs = 60_000 })).EnsureSuccessStatusCode();
        var within = TimeSpan.FromSeconds(15);
        await Eventually.Until(() => _silo.StatusOfAsync("stall"), s => s == "healthy", within, "stall healthy");
        await Eventually.Until(() => _silo.StatusOfAsync("live"), s => s == "healthy", within, "live healthy");
        var fresh = (await _silo.GetJsonAsync("/api/origins/stall")).GetProperty("health");
        Assert.False(fresh.GetProperty("stale").GetBoolean());
        Assert.True(fresh.GetProperty("ageMs").GetInt64() >= 0);

        _prober.Stalled = true; // the owner stops probing "stall"; "live" goes on
        var stale = await Eventually.Until(() => _silo.GetJsonAsync("/api/origins/stall"),
            v => v.GetProperty("health").GetProperty("status").GetString() != "healthy", TimeSpan.FromSeconds(20), "stall no longer healthy");
        var health = stale.GetProperty("health");
        Assert.Equal("unknown", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("stale").GetBoolean());
        Assert.True(health.GetProperty("ageMs").GetInt64() >= 5200, health.ToString()); // stale means older than 5.2 s; ageMs is whole milliseconds
        Assert.True(stale.TryGetProperty("observedAt", out _), "observedAt is kept");

        // The filter judges by what reads show: a stale origin is unknown, not healthy.
        Assert.Equal(["live"], Ids(await _silo.GetJsonAsync("/api/origins?status=healthy")));
        Assert.Contains("stall", Ids(await _silo.GetJsonAsync("/api/origins?status=unknown")));
        var listed = (await _silo.GetJsonAsync("/api/origins")).GetProperty("items").EnumerateArray()
            .Single(o => o.GetProperty("id").GetString() == "stall");
        Assert.True(listed.GetProperty("health").GetProperty("stale").GetBoolean());

        // Never observed: unknown, not stale.
        var never = (await _silo.GetJsonAsync("/api/origins/never")).GetProperty("health");
        Assert.Equal("unknown", never.GetProperty("status").GetString());
        Assert.False(never.GetProperty("stale").GetBoolean());

        // The SDK reads the same, typed.
        await using var client = await HeckClient.ConnectAsync(new HeckClientOptions { Gateways = { $"127.0.0.1:{_silo.GatewayPort}" } });
        var view = (await client.GetOriginAsync("stall"))!;
        Assert.Equal(HealthStatus.Unknown, view.Health.Status);
        Assert.True(view.Health.Stale);
        Assert.True(view.Health.AgeMs >= 5200);
        Assert.DoesNotContain(await client.ListOriginsAsync(HealthStatus.Healthy), o => o.Spec.Id == "stall");
        Assert.Contains(await client.ListOriginsAsync(HealthStatus.Unknown), o => o.Spec.Id == "stall");
    }
}
