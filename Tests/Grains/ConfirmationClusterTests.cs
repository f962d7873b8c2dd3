using Heck.Grains.Origins;
using Orleans.Runtime;

namespace Heck.Tests.Grains;

/// <summary>N-of-M confirmation on 3 silos (owner + 1 confirmer by default).</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class ConfirmationClusterTests() : HeckClusterTest(3, ("HeckTestGossipMs", "50"), ("HeckTestBrokenVantage", "true"))
{
    public override Task DisposeAsync()
    {
        BrokenVantageProber.Broken.Clear();
        return base.DisposeAsync();
    }

    private async Task<SiloAddress> OwnerOfAsync(string id)
    {
        SiloAddress? owner = null;
        await Eventually.True(() =>
        {
            owner = Handles
                .FirstOrDefault(s => s.SiloHost.Services.GetRequiredService<LocalOrigins>().Contains(id))?.SiloAddress;
            return owner is not null;
        }, TimeSpan.FromSeconds(10), $"{id} has an owner");
        return owner!;
    }

    /// <summary>Where the origin is active and what it went through, for a failure message.</summary>
    private async Task<string> DescribeAsync(IOriginGrain grain, SiloAddress owner)
    {
        var activeOn = Handles
            .Where(s => s.SiloHost.Services.GetRequiredService<LocalOrigins>().Contains(grain.GetPrimaryKeyString()))
            .Select(s => s.SiloAddress.ToString());
        var transitions = (await grain.GetTransitions()).Select(t => $"{t.From}->{t.To} at {t.At:HH:mm:ss.fff}: {t.Reason}");
        var observations = (await grain.GetObservations()).TakeLast(8).Select(o => $"{o.At:HH:mm:ss.fff} {(o.Success ? "ok" : o.Error)} by {o.Prober}");
        return $"owner {owner}; active on [{string.Join(", ", activeOn)}]; broken [{string.Join(", ", BrokenVantageProber.Broken.Keys)}]\n" +
               $"transitions:\n  {string.Join("\n  ", transitions)}\nlast observations:\n  {string.Join("\n  ", observations)}";
    }

    private async Task<OriginView> RegisterHealthyAsync(string id, int intervalMs = 600, int timeoutMs = 550)
    {
        OriginValidator.Validate(id, new OriginInput { Url = Target.Url("/" + id), IntervalMs = intervalMs, TimeoutMs = timeoutMs, UnhealthyThreshold = 2 } /* a generous timeout: a starved CI host must not fail the owner's or the confirmer's probe */, out var spec);
        var grain = Cluster.Client.GetGrain<IOriginGrain>(id);
        await grain.Configure(spec!);
        return await Eventually.Until(async () => (await grain.GetView())!, v => v.Health.Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(15), $"{id} healthy");
    }

    [Fact]
    public async Task One_silo_with_a_broken_path_does_not_flip_an_origin()
    {
        // A confirmer's vote may take the probe timeout plus 1 s; a vote that does not come lets the owner decide
        // alone, so on a host starved for seconds (seen in CI) a short timeout would test the starvation instead.
        await RegisterHealthyAsync("vantage", intervalMs: 1500, timeoutMs: 1400);
        var owner = await OwnerOfAsync("vantage");
        BrokenVantageProber.Broken[owner] = true;
        var grain = Cluster.Client.GetGrain<IOriginGrain>("vantage");

        // The owner fails every probe, its confirmer reaches the origin: the status holds.
        var held = await Eventually.Until(async () => (await grain.GetView())!,
            v => v.Health.ConsecutiveFailures >= 6, TimeSpan.FromSeconds(40), "owner failing for a while");
        Assert.True(held.Health.Status == HealthStatus.Healthy, await DescribeAsync(grain, owner));
        Assert.Contains("not confirmed", held.Health.LastError);

        // When the origin really fails, the confirmer agrees and it turns unhealthy, saying who confirmed.
        Target.Set("/vantage", TargetMode.Failing);
        var down = await Eventually.Until(async () => (await grain.GetView())!,
            v => v.Health.Status == HealthStatus.Unhealthy, TimeSpan.FromSeconds(30), "unhealthy once really failing");
        Assert.Equal(2, down.Health.ConfirmedBy!.Count);
        Assert.Contains($"{owner.Endpoint.Address}:{owner.Endpoint.Port}", down.Health.ConfirmedBy);
        var last = (await grain.GetTransitions()).Last();
        Assert.Contains("confirmed by 2 of 2", last.Reason);
    }

    [Fact]
    public async Task A_broken_confirmer_alone_changes_nothing()
    {
        await RegisterHealthyAsync("steady-owner");
        var owner = await OwnerOfAsync("steady-owner");
        foreach (var silo in Cluster.Silos.Where(s => !s.SiloAddress.Equals(owner))) BrokenVantageProber.Broken[silo.SiloAddress] = true;
        var grain = Cluster.Client.GetGrain<IOriginGrain>("steady-owner");
        var before = (await grain.GetView())!.Health.LastProbeAt;
        var after = await Eventually.Until(async () => (await grain.GetView())!, v => v.Health.LastProbeAt > before!.Value.AddSeconds(2),
            TimeSpan.FromSeconds(15), "probed on");
        Assert.True(after.Health.Status == HealthStatus.Healthy, await DescribeAsync(grain, owner));
        // Nothing changed: the only transition is the first one (a single slow probe of the owner's may fail).
        Assert.Equal([HealthStatus.Healthy], (await grain.GetTransitions()).Select(t => t.To));
    }

    [Fact]
    public async Task An_owner_with_a_broken_path_does_not_hold_a_recovered_origin_unhealthy()
    {
        await RegisterHealthyAsync("recovers");
        var owner = await OwnerOfAsync("recovers");
        var grain = Cluster.Client.GetGrain<IOriginGrain>("recovers");
        Target.Set("/recovers", TargetMode.Failing);
        await Eventually.Until(async () => (await grain.GetView())!, v => v.Health.Status == HealthStatus.Unhealthy,
            TimeSpan.FromSeconds(15), "unhealthy while failing");

        // The owner loses its path to the origin just as the origin comes back: its confirmer sees it up.
        BrokenVantageProber.Broken[owner] = true;
        Target.Set("/recovers", TargetMode.Healthy);
        var up = await Eventually.Until(async () => (await grain.GetView())!, v => v.Health.Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(15), "healthy again although its owner cannot reach it");
        // The owner's own failures keep coming (its later probes' errors replace the confirmer's word), so
        // the transition says who decided it.
        Assert.Contains("confirmed by 1 of 2", (await grain.GetTransitions()).Last(t => t.To == HealthStatus.Healthy).Reason);
    }

    [Fact]
    public async Task The_owner_alone_seeing_an_unhealthy_origin_up_does_not_end_the_spell()
    {
        await RegisterHealthyAsync("held-down");
        var owner = await OwnerOfAsync("held-down");
        var grain = Cluster.Client.GetGrain<IOriginGrain>("held-down");
        Target.Set("/held-down", TargetMode.Failing);
        await Eventually.Until(async () => (await grain.GetView())!, v => v.Health.Status == HealthStatus.Unhealthy,
            TimeSpan.FromSeconds(15), "unhealthy while failing");

        // Only the owner reaches it now (the others' paths are broken): a success nobody confirms.
        foreach (var silo in Cluster.Silos.Where(s => !s.SiloAddress.Equals(owner))) BrokenVantageProber.Broken[silo.SiloAddress] = true;
        Target.Set("/held-down", TargetMode.Healthy);
        await Eventually.Until(() => grain.GetObservations(), o => o.Count >= 6 && o.TakeLast(6).All(x => x.Success),
            TimeSpan.FromSeconds(20), "the owner succeeding for a while");
        var held = (await grain.GetView())!;
        Assert.True(held.Health.Status == HealthStatus.Unhealthy, await DescribeAsync(grain, owner));
        Assert.Equal(HealthStatus.Unhealthy, (await grain.GetTransitions()).Last().To);

        // Once a confirmer reaches it too, it recovers.
        BrokenVantageProber.Broken.Clear();
        await Eventually.Until(async () => (await grain.GetView())!, v => v.Health.Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(15), "healthy once confirmed");
    }
}
