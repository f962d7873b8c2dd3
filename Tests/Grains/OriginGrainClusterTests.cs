using Heck.Grains;
using Heck.Grains.Probing;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Heck.Tests.Grains;

/// <summary>A prober that counts how many probes run at once, and takes a while.</summary>
public sealed class SlowCountingProber : IOriginProber
{
    public static int InFlight;
    public static int MaxInFlight;
    public static int Probes;
    public static TimeSpan Delay = TimeSpan.FromMilliseconds(250);

    public async Task<ProbeResult> ProbeAsync(OriginSpec spec, CancellationToken cancellationToken)
    {
        if (!spec.Url.Contains("/slow-counting", StringComparison.Ordinal))
            return new ProbeResult(true, 1, 200, null);
        var now = Interlocked.Increment(ref InFlight);
        int max;
        while ((max = Volatile.Read(ref MaxInFlight)) < now && Interlocked.CompareExchange(ref MaxInFlight, now, max) != max) { }
        try
        {
            await Task.Delay(Delay, cancellationToken);
            Interlocked.Increment(ref Probes);
            return new ProbeResult(true, Delay.TotalMilliseconds, 200, null);
        }
        finally
        {
            Interlocked.Decrement(ref InFlight);
        }
    }
}

public sealed class HeckSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder silo)
    {
        var root = silo.Configuration["HeckTestStorage"] ?? throw new InvalidOperationException("no storage path");
        if (silo.Configuration["HeckTestSlowProber"] == "true")
            silo.Services.AddSingleton<IOriginProber>(new DelegatingProber(new SlowCountingProber(), new OriginProber(TimeProvider.System)));
        if (silo.Configuration["HeckTestBrokenVantage"] == "true")
            silo.Services.AddSingleton<IOriginProber>(sp => new BrokenVantageProber(
                sp.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>(), new OriginProber(TimeProvider.System)));
        var gossipMs = silo.Configuration["HeckTestGossipMs"];
        var gossipMode = silo.Configuration["HeckTestGossipMode"];
        var reconcileMs = silo.Configuration["HeckTestReconcilePeriodMs"];
        silo.AddHeckGrains(Path.Combine(root, Guid.NewGuid().ToString("N")), gossip =>
        {
            if (gossipMode is not null) gossip.Mode = Enum.Parse<Heck.Grains.Replica.GossipMode>(gossipMode);
            if (gossipMs is null) return;
            gossip.IntervalMs = int.Parse(gossipMs);
            gossip.AntiEntropyIntervalMs = 4 * gossip.IntervalMs;
        }, ownership: o =>
        {
            if (reconcileMs is not null) o.ReconcilePeriod = TimeSpan.FromMilliseconds(int.Parse(reconcileMs));
        });
    }

    /// <summary>Slow counting for origins that ask for it, real probes for the rest.</summary>
    private sealed class DelegatingProber(SlowCountingProber slow, IOriginProber real) : IOriginProber
    {
        public Task<ProbeResult> ProbeAsync(OriginSpec spec, CancellationToken ct) =>
            spec.Url.Contains("/slow-counting", StringComparison.Ordinal) ? slow.ProbeAsync(spec, ct) : real.ProbeAsync(spec, ct);
    }
}

/// <summary>
/// The test seam for a broken network path: probes from the silos in <see cref="Broken"/> fail,
/// the others probe for real.
/// </summary>
public sealed class BrokenVantageProber(Orleans.Runtime.ILocalSiloDetails silo, IOriginProber real) : IOriginProber
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<Orleans.Runtime.SiloAddress, bool> Broken = new();

    public Task<ProbeResult> ProbeAsync(OriginSpec spec, CancellationToken ct) =>
        Broken.ContainsKey(silo.SiloAddress)
            ? Task.FromResult(new ProbeResult(false, 1, null, "connection failed: broken path (test)"))
            : real.ProbeAsync(spec, ct);
}

/// <summary>One silo in a TestingHost cluster; the origin grain against a real local HTTP target.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class OriginGrainClusterTests() : HeckClusterTest(1, ("HeckTestSlowProber", "true"))
{
    private static OriginSpec Spec(string id, string url, int interval = 200, int unhealthy = 2, int? timeout = null) =>
        OriginValidator.Validate(id, new OriginInput { Url = url, IntervalMs = interval, UnhealthyThreshold = unhealthy, TimeoutMs = timeout }, out var s).Count == 0
            ? s! : throw new ArgumentException("bad spec");

    private async Task<HealthStatus?> StatusAsync(string id) =>
        (await Cluster.Client.GetGrain<IOriginReaderGrain>(0).Get(id))?.Health.Status;

    [Fact]
    public async Task Health_follows_theTarget_and_reads_come_from_the_replica()
    {
        var grain = Cluster.Client.GetGrain<IOriginGrain>("flip");
        // A timeout near the interval and three failures to turn: a stalled test host must not make the
        // healthy target look unhealthy before the test switches it (the exact path is asserted below).
        var result = await grain.Configure(Spec("flip", Target.Url("/flip"), interval: 500, unhealthy: 3, timeout: 450));
        Assert.True(result.Created);
        Assert.Empty(result.Errors);

        var within = TimeSpan.FromSeconds(15);
        await Eventually.Until(() => StatusAsync("flip"), s => s == HealthStatus.Healthy, within, "healthy");
        Target.Set("/flip", TargetMode.Failing);
        await Eventually.Until(() => StatusAsync("flip"), s => s == HealthStatus.Unhealthy, within, "unhealthy");
        Target.Set("/flip", TargetMode.Healthy);
        await Eventually.Until(() => StatusAsync("flip"), s => s == HealthStatus.Healthy, within, "healthy again");

        var transitions = await grain.GetTransitions();
        Assert.Equal([HealthStatus.Healthy, HealthStatus.Unhealthy, HealthStatus.Healthy], transitions.Select(t => t.To));
        Assert.All(await grain.GetObservations(), o => Assert.StartsWith("127.0.0.1:", o.Prober));

        var page = await Cluster.Client.GetGrain<IOriginReaderGrain>(0).TransitionsAfter(0, 100);
        Assert.Equal(3, page.Events.Count(e => e.OriginId == "flip"));
    }

    [Fact]
    public async Task Of_two_conditional_writes_on_one_version_only_the_first_succeeds()
    {
        var grain = Cluster.Client.GetGrain<IOriginGrain>("cas");
        var first = Spec("cas", Target.Url("/cas"), interval: 1000);
        Assert.True((await grain.ConfigureIf(first, new WriteCondition("", "*"))).Created);
        var read = Heck.Api.OriginETag.Of(first);

        // Two clients read the same version and both write on it: the grain checks in the write's own turn.
        var a = grain.ConfigureIf(first with { IntervalMs = 2000 }, WriteCondition.Unchanged(read));
        var b = grain.ConfigureIf(first with { IntervalMs = 3000 }, WriteCondition.Unchanged(read));
        var results = await Task.WhenAll(a, b);
        Assert.Single(results, r => !r.ConditionFailed);
        var refused = Assert.Single(results, r => r.ConditionFailed);
        var stored = (await grain.GetView())!.Spec;
        Assert.Equal(Heck.Api.OriginETag.Of(stored), refused.CurrentETag);
        Assert.Equal(results[0].ConditionFailed ? 3000 : 2000, stored.IntervalMs);

        // A retried write of what is already stored goes through; a stale delete does not.
        Assert.False((await grain.ConfigureIf(stored, WriteCondition.Unchanged(read))).ConditionFailed);
        var delete = await grain.RemoveIf(WriteCondition.Unchanged(read));
        Assert.True(delete.ConditionFailed);
        Assert.NotNull(await grain.GetView());
        Assert.True((await grain.RemoveIf(WriteCondition.Unchanged(Heck.Api.OriginETag.Of(stored)))).Removed);
    }

    [Fact]
    public async Task A_spec_the_validator_refuses_is_not_stored()
    {
        var grain = Cluster.Client.GetGrain<IOriginGrain>("sneaky");
        var result = await grain.Configure(new OriginSpec { Id = "sneaky", Url = "ftp://nope/", IntervalMs = 5 });
        Assert.False(result.Created);
        Assert.Contains(result.Errors, e => e.Field == "url");
        Assert.Null(await grain.GetView());

        var wrongKey = await grain.Configure(Spec("other", Target.Url("/x")));
        Assert.Contains(wrongKey.Errors, e => e.Field == "id");
        Assert.Null(await grain.GetView());
    }

    [Fact]
    public async Task A_spec_that_breaks_the_validators_invariants_is_refused_by_the_grain()
    {
        // Each field alone would pass as input; as a spec it is not in the form validation writes.
        var grain = Cluster.Client.GetGrain<IOriginGrain>("raw");
        var raw = Spec("raw", Target.Url("/raw")) with { Method = "get", ExpectStatus = "404,200-299", TimeoutMs = 200 };
        var result = await grain.Configure(raw);
        Assert.False(result.Created);
        Assert.Equal(["timeoutMs", "method", "expectStatus"], result.Errors.Select(e => e.Field));
        Assert.Null(await grain.GetView());
    }

    [Fact]
    public async Task Unchanged_configure_keeps_health_and_a_change_keeps_status()
    {
        var grain = Cluster.Client.GetGrain<IOriginGrain>("steady");
        await grain.Configure(Spec("steady", Target.Url("/steady")));
        await Eventually.Until(() => StatusAsync("steady"), s => s == HealthStatus.Healthy, TimeSpan.FromSeconds(15), "healthy");
        var again = await grain.Configure(Spec("steady", Target.Url("/steady")));
        Assert.False(again.Created);
        Assert.Equal(HealthStatus.Healthy, again.View!.Health.Status);
        var changed = await grain.Configure(Spec("steady", Target.Url("/steady"), interval: 300));
        Assert.Equal(HealthStatus.Healthy, changed.View!.Health.Status);
        Assert.Equal(300, changed.View.Spec.IntervalMs);
    }

    [Fact]
    public async Task Never_two_probes_of_one_origin_at_once()
    {
        // Each probe takes 250 ms against a 100 ms interval, and the spec changes mid-way.
        var grain = Cluster.Client.GetGrain<IOriginGrain>("busy");
        var start = Volatile.Read(ref SlowCountingProber.Probes);
        await grain.Configure(Spec("busy", "http://127.0.0.1:9/slow-counting", interval: 100));
        await Eventually.True(() => Volatile.Read(ref SlowCountingProber.Probes) >= start + 2, TimeSpan.FromSeconds(15), "probes ran");
        await grain.Configure(Spec("busy", "http://127.0.0.1:9/slow-counting?v=2", interval: 100));
        await Eventually.True(() => Volatile.Read(ref SlowCountingProber.Probes) >= start + 5, TimeSpan.FromSeconds(15), "probes ran after change");
        await grain.Remove();
        Assert.Equal(1, Volatile.Read(ref SlowCountingProber.MaxInFlight));
    }

    [Fact]
    public async Task Removed_origins_stop_probing_and_leave_the_replica()
    {
        var grain = Cluster.Client.GetGrain<IOriginGrain>("gone");
        await grain.Configure(Spec("gone", Target.Url("/gone")));
        await Eventually.True(() => Target.Hits("/gone") >= 2, TimeSpan.FromSeconds(15), "probed");
        Assert.True(await grain.Remove());
        Assert.Null(await Cluster.Client.GetGrain<IOriginReaderGrain>(0).Get("gone"));
        await Task.Delay(300); // a probe in flight may still land
        var hits = Target.Hits("/gone");
        await Task.Delay(800);
        Assert.Equal(hits, Target.Hits("/gone"));
        Assert.False(await grain.Remove());
    }
}
