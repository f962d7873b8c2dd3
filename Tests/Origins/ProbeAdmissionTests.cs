using Heck.Grains.Origins;

namespace Heck.Tests.Origins;

public sealed class ProbeAdmissionTests
{
    private static OriginSpec Every(int intervalMs, string id = "o") => new() { Id = id, Url = "http://h.example/", IntervalMs = intervalMs, TimeoutMs = 1 };

    private static readonly LimitsOptions Limits = new() { MaxOrigins = 3, ProbesPerSecondPerSilo = 10 };

    [Fact]
    public void A_new_origin_past_max_origins_is_refused_with_the_key()
    {
        var refusal = ProbeAdmission.Decide(new ProbeLoad(3, 0.3), null, Every(10_000), liveSilos: 1, Limits);
        Assert.Equal(AdmissionRefusalKind.TooManyOrigins, refusal?.Kind);
        Assert.Equal("Heck:Limits:MaxOrigins", refusal!.Key);
        Assert.Contains("3", refusal.Detail);
        // An edit of an origin that exists is not a new one.
        Assert.Null(ProbeAdmission.Decide(new ProbeLoad(3, 0.3), Every(10_000), Every(20_000), 1, Limits));
    }

    [Fact]
    public void The_budget_grows_with_live_silos_and_the_refusal_says_the_rate_and_the_budget()
    {
        // 9/s scheduled; another 2/s (every 500 ms) fits 2 silos × 10/s, not one.
        var load = new ProbeLoad(2, 9);
        Assert.Null(ProbeAdmission.Decide(load, null, Every(500), liveSilos: 2, Limits));
        var refusal = ProbeAdmission.Decide(load, null, Every(500), liveSilos: 1, Limits);
        Assert.Equal(AdmissionRefusalKind.OverBudget, refusal?.Kind);
        Assert.Equal("Heck:Limits:ProbesPerSecondPerSilo", refusal!.Key);
        Assert.Contains("probes 9/s", refusal.Detail);
        Assert.Contains("adds 2/s", refusal.Detail);
        Assert.Contains("budget of 10/s", refusal.Detail);
    }

    [Fact]
    public void A_write_that_adds_no_rate_is_admitted_even_over_budget()
    {
        var over = new ProbeLoad(2, 50);
        Assert.Null(ProbeAdmission.Decide(over, Every(100), Every(1000), 1, Limits));
        Assert.Null(ProbeAdmission.Decide(over, Every(100), Every(100), 1, Limits));
        Assert.NotNull(ProbeAdmission.Decide(over, Every(1000), Every(100), 1, Limits));
    }

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public void Admitted_writes_keep_the_rate_within_budget(FsCheck.PositiveInt[] intervals, byte silos, FsCheck.PositiveInt budget)
    {
        // Registering one by one through admission never schedules more than the budget, whatever comes.
        var limits = new LimitsOptions { MaxOrigins = 1_000_000, ProbesPerSecondPerSilo = budget.Get % 50 + 1 };
        var live = 1 + silos % 5;
        var admitted = new List<OriginSpec>();
        foreach (var (interval, i) in (intervals ?? []).Select((p, i) => (100 + p.Get % 5000, i)))
        {
            var spec = Every(interval, $"o{i}");
            if (ProbeAdmission.Decide(ProbeLoad.Of(admitted), null, spec, live, limits) is null) admitted.Add(spec);
        }
        Assert.True(ProbeLoad.Of(admitted).ProbesPerSecond <= limits.ProbesPerSecondPerSilo * live + 1e-9);
    }
}
