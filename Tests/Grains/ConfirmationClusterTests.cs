using Heck.Grains.Origins;
using Heck.Health;
using Heck.Origins;
using Heck.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using Xunit;

namespace Heck.Tests.Grains;

/// <summary>N-of-M confirmation on 3 silos (owner + 1 confirmer by default).</summary>
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
            owner = Cluster.Silos.Cast<InProcessSiloHandle>()
                .FirstOrDefault(s => s.SiloHost.Services.GetRequiredService<LocalOrigins>().Contains(id))?.SiloAddress;
            return owner is not null;
        }, TimeSpan.FromSeconds(10), $"{id} has an owner");
        return owner!;
    }

    private async Task<OriginView> RegisterHealthyAsync(string id)
    {
        OriginValidator.Validate(id, new OriginInput { Url = Target.Url("/" + id), IntervalMs = 400, TimeoutMs = 350, UnhealthyThreshold = 2 } /* a generous timeout: a starved CI host must not fail the confirmer's probe */, out var spec);
        var grain = Cluster.Client.GetGrain<IOriginGrain>(id);
        await grain.Configure(spec!);
        return await Eventually.Until(async () => (await grain.GetView())!, v => v.Health.Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(10), $"{id} healthy");
    }

    [Fact]
    public async Task One_silo_with_a_broken_path_does_not_flip_an_origin()
    {
        await RegisterHealthyAsync("vantage");
        var owner = await OwnerOfAsync("vantage");
        BrokenVantageProber.Broken[owner] = true;
        var grain = Cluster.Client.GetGrain<IOriginGrain>("vantage");

        // The owner fails every probe, its confirmer reaches the origin: the status holds.
        var held = await Eventually.Until(async () => (await grain.GetView())!,
            v => v.Health.ConsecutiveFailures >= 6, TimeSpan.FromSeconds(10), "owner failing for a while");
        Assert.Equal(HealthStatus.Healthy, held.Health.Status);
        Assert.Contains("not confirmed", held.Health.LastError);

        // When the origin really fails, the confirmer agrees and it turns unhealthy, saying who confirmed.
        Target.Set("/vantage", TargetMode.Failing);
        var down = await Eventually.Until(async () => (await grain.GetView())!,
            v => v.Health.Status == HealthStatus.Unhealthy, TimeSpan.FromSeconds(10), "unhealthy once really failing");
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
        var after = await Eventually.Until(async () => (await grain.GetView())!, v => v.Health.LastProbeAt > before!.Value.AddSeconds(1),
            TimeSpan.FromSeconds(10), "probed on");
        Assert.Equal(HealthStatus.Healthy, after.Health.Status);
        Assert.Equal(0, after.Health.ConsecutiveFailures);
    }
}
