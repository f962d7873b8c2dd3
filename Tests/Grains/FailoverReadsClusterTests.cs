using Heck.Grains.Origins;
using Heck.Grains.Placement;
using Heck.Grains.Replica;

namespace Heck.Tests.Grains;

/// <summary>
/// After its owner's silo stops, a healthy target's origin reads healthy on every remaining silo,
/// throughout the takeover (item 9 of issue 10): the new owner starts from the replicated verdict,
/// and reads show the freshest verdict rather than a new owner's "no verdict yet".
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class FailoverReadsClusterTests() : HeckClusterTest(3, ("HeckTestGossipMs", "50"))
{
    [Fact]
    public async Task A_healthy_origin_never_reads_unknown_or_worse_while_a_new_owner_takes_over()
    {
        var silos = Cluster.Silos.Select(s => s.SiloAddress).ToArray();
        var director = Services(0).GetRequiredService<RendezvousPlacementDirector>();
        var id = Enumerable.Range(0, 200).Select(i => $"takeover{i}").First(i => director.Owner(i, silos)!.Equals(silos[2]));
        OriginValidator.Validate(id, new OriginInput { Url = Target.Url($"/{id}"), IntervalMs = 300, TimeoutMs = 250 }, out var spec);
        await Cluster.Client.GetGrain<IOriginGrain>(id).Configure(spec!);

        var survivors = new[] { Services(0), Services(1) };
        var reads = survivors.Select(s => s.GetRequiredService<OriginReads>()).ToArray();
        await Eventually.True(() => reads.All(r => r.Get(id)?.Health.Status == HealthStatus.Healthy), TimeSpan.FromSeconds(15), "healthy everywhere");

        using var stop = new CancellationTokenSource();
        var seen = new List<string>();
        var sampler = Task.Run(async () =>
        {
            for (var i = 0; i < 4000 && !stop.IsCancellationRequested; i++) // bounded: ~100 s at most
            {
                foreach (var r in reads)
                    if (r.Get(id) is { } v && v.Health.Status != HealthStatus.Healthy)
                        lock (seen) seen.Add($"{v.Health.Status} (stale {v.Health.Stale}, by {v.ObservedBy}, owner {v.Health.Owner})");
                await Task.Delay(25);
            }
        });

        await Cluster.StopSiloAsync(Cluster.Silos[2]);
        // The new owner probes on its own for a few rounds.
        var owners = survivors.Select(s => (Replica: s.GetRequiredService<LocalReplica>(), Local: s.GetRequiredService<LocalOrigins>())).ToArray();
        await Eventually.True(() => owners.Any(o => o.Local.Contains(id) && o.Replica.State.Health.Get(id, o.Replica.Self)?.Sequence >= 4),
            TimeSpan.FromSeconds(30), "a new owner probed it four times");
        await stop.CancelAsync();
        await sampler;

        lock (seen) Assert.True(seen.Count == 0, $"read as not healthy: {string.Join("; ", seen.Distinct())}");
    }
    
    [Fact]
    public async Task A_new_owners_unknown_written_before_the_verdict_reached_it_does_not_hide_the_verdict()
    {
        var silos = Cluster.Silos.Select(s => s.SiloAddress).ToArray();
        var director = Services(0).GetRequiredService<RendezvousPlacementDirector>();
        var id = Enumerable.Range(0, 200).Select(i => $"verdict{i}").First(i => director.Owner(i, silos)!.Equals(silos[1]));
        // Long interval: the owner's next record is seconds away while this test reads.
        OriginValidator.Validate(id, new OriginInput { Url = Target.Url($"/{id}"), IntervalMs = 5000, HealthyThreshold = 1 }, out var spec);
        await Cluster.Client.GetGrain<IOriginGrain>(id).Configure(spec!);
        var reads = AllServices.Select(s => s.GetRequiredService<OriginReads>()).ToArray();
        await Eventually.True(() => reads.All(r => r.Get(id)?.Health.Status == HealthStatus.Healthy), TimeSpan.FromSeconds(20), "healthy everywhere");

        // Silo 0 writes what a new owner writes after one probe without the old verdict: unknown, 1 success.
        var now = DateTimeOffset.UtcNow;
        var replica = Services(0).GetRequiredService<LocalReplica>();
        replica.RecordHealth(id, new HealthView { Status = HealthStatus.Unknown, Since = now, LastProbeAt = now, ConsecutiveSuccesses = 1, Owner = silos[0].ToString() }, null);
        Assert.Equal(HealthStatus.Unknown, replica.Get(id)!.Health.Status); // the freshest record

        // Every silo (silo 0 at once, the others once gossip brings the record) still shows the verdict.
        var mine = LocalReplica.IdOf(silos[0]);
        await Eventually.True(() => AllServices.All(s => s.GetRequiredService<LocalReplica>().State.Health.Get(id, mine) is not null),
            TimeSpan.FromSeconds(10), "the unknown record replicated");
        Assert.All(reads, r => Assert.Equal(HealthStatus.Healthy, r.Get(id)!.Health.Status));
    }
}
