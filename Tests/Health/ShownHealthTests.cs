using Heck.Grains.Health;

namespace Heck.Tests.Health;

public sealed class ShownHealthTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId Old = new("127.0.0.1:11111", 1), New = new("127.0.0.1:11112", 2);

    private static SlotRecord Record(ReplicaId slot, HealthStatus status, DateTimeOffset at) =>
        new("web", slot, 1, new HealthView { Status = status, Since = at, LastProbeAt = at }, [],
            new Hlc(at.ToUnixTimeMilliseconds(), 0), 1, new Dot(slot, 1));

    [Fact]
    public void A_verdict_wins_over_a_fresher_unknown_of_an_owner_that_has_none_yet()
    {
        var verdict = Record(Old, HealthStatus.Healthy, Now.AddSeconds(-2));
        var unknown = Record(New, HealthStatus.Unknown, Now.AddSeconds(-1));
        Assert.Same(verdict, ShownHealth.Choose([unknown, verdict], 1000, Now));
        Assert.Equal(verdict.Health, ShownHealth.VerdictToResume(State(verdict, unknown), "web", 1000, Now));
    }

    [Fact]
    public void Past_the_staleness_bound_the_freshest_record_wins()
    {
        var verdict = Record(Old, HealthStatus.Healthy, Now.AddSeconds(-7)); // bound at 1 s interval: 6 s
        var unknown = Record(New, HealthStatus.Unknown, Now.AddSeconds(-1));
        Assert.Same(unknown, ShownHealth.Choose([verdict, unknown], 1000, Now));
        Assert.Null(ShownHealth.VerdictToResume(State(verdict, unknown), "web", 1000, Now));
    }

    [Fact]
    public void Among_verdicts_the_freshest_wins()
    {
        var older = Record(Old, HealthStatus.Unhealthy, Now.AddSeconds(-2));
        var newer = Record(New, HealthStatus.Healthy, Now.AddSeconds(-1));
        Assert.Same(newer, ShownHealth.Choose([older, newer], 1000, Now));
        Assert.Null(ShownHealth.Choose([], 1000, Now));
    }

    private static ReplicaState State(params SlotRecord[] records)
    {
        var entry = new RegistryEntry("web", 1, new Heck.Origins.OriginSpec { Id = "web", Url = "http://origin.test/" },
            new Hlc(Now.AddMinutes(-1).ToUnixTimeMilliseconds(), 0), new Dot(Old, 2));
        var context = records.Aggregate(VersionVector.Empty.Add(entry.Dot), (v, r) => v.Add(r.Dot));
        return ReplicaState.Empty.Apply(new Delta([entry], [.. records], context, VersionVector.Empty));
    }
}
