using Heck.Grains.Health;

namespace Heck.Tests.Health;

public sealed class HealthStateMachineTests
{
    internal static readonly DateTimeOffset RegisteredAt = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static OriginSpec Spec(int healthy = 2, int unhealthy = 3, int? degradedMs = null) => new()
    {
        Id = "web",
        Url = "http://origin.test/",
        HealthyThreshold = healthy,
        UnhealthyThreshold = unhealthy,
        DegradedLatencyMs = degradedMs,
    };

    /// <summary>Feeds observations one second apart, as one prober would.</summary>
    private sealed class Probes(HealthStateMachine machine)
    {
        public DateTimeOffset At { get; private set; } = RegisteredAt;

        public HealthTransition? Ok(double latencyMs = 20, int status = 200) =>
            machine.Apply(new Observation(At = At.AddSeconds(1), true, latencyMs, status, null, "silo-a:11111"));

        public HealthTransition? Fail(string? error = "connection refused", int? status = null) =>
            machine.Apply(new Observation(At = At.AddSeconds(1), false, 5, status, error, "silo-a:11111"));

        public void Times(int n, Func<HealthTransition?> probe)
        {
            for (var i = 0; i < n; i++) probe();
        }
    }

    private static (HealthStateMachine Machine, Probes Probes) New(OriginSpec? spec = null, string? owner = "silo-a:11111")
    {
        var machine = new HealthStateMachine(spec ?? Spec(), RegisteredAt, owner);
        return (machine, new Probes(machine));
    }

    [Fact]
    public void Starts_unknown_since_registration()
    {
        var (m, _) = New();
        Assert.Equal(HealthView.Initial(RegisteredAt, "silo-a:11111"), m.View);
        Assert.Empty(m.Observations);
        Assert.Empty(m.Transitions);
    }

    [Fact]
    public void Becomes_healthy_after_healthy_threshold_successes()
    {
        var (m, p) = New(Spec(healthy: 2));
        Assert.Null(p.Ok());
        Assert.Equal(HealthStatus.Unknown, m.View.Status);

        var t = p.Ok();
        Assert.Equal(new HealthTransition(p.At, HealthStatus.Unknown, HealthStatus.Healthy, "2 consecutive successes"), t);
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
        Assert.Equal(p.At, m.View.Since);
        Assert.Equal([t!], m.Transitions);
    }

    [Fact]
    public void Threshold_of_one_needs_one_success()
    {
        var (m, p) = New(Spec(healthy: 1));
        Assert.Equal("1 consecutive success", p.Ok()!.Reason);
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
    }

    [Fact]
    public void Becomes_unhealthy_after_unhealthy_threshold_failures_with_the_last_error()
    {
        var (m, p) = New(Spec(unhealthy: 3));
        Assert.Null(p.Fail());
        Assert.Null(p.Fail());
        Assert.Equal(HealthStatus.Unknown, m.View.Status);

        var t = p.Fail("timeout after 2000 ms");
        Assert.Equal(new HealthTransition(p.At, HealthStatus.Unknown, HealthStatus.Unhealthy, "3 consecutive failures: timeout after 2000 ms"), t);
        Assert.Equal(HealthStatus.Unhealthy, m.View.Status);
        Assert.Null(p.Fail()); // further failures change nothing
        Assert.Equal(t!.At, m.View.Since);
    }

    [Fact]
    public void Failure_without_an_error_has_a_reason_without_one()
    {
        var (_, p) = New(Spec(unhealthy: 1));
        Assert.Equal("1 consecutive failure", p.Fail(error: null)!.Reason);
    }

    [Fact]
    public void A_failure_resets_the_success_run()
    {
        var (m, p) = New(Spec(healthy: 2));
        p.Ok();
        p.Fail();
        Assert.Null(p.Ok());
        Assert.Equal(HealthStatus.Unknown, m.View.Status);
        Assert.Equal((1, 0), (m.View.ConsecutiveSuccesses, m.View.ConsecutiveFailures));
        Assert.NotNull(p.Ok());
    }

    [Fact]
    public void A_success_resets_the_failure_run()
    {
        var (m, p) = New(Spec(healthy: 1, unhealthy: 3));
        p.Ok();
        p.Fail();
        p.Fail();
        Assert.Equal((0, 2), (m.View.ConsecutiveSuccesses, m.View.ConsecutiveFailures));
        p.Ok();
        p.Fail();
        Assert.Null(p.Fail());
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
        Assert.NotNull(p.Fail());
        Assert.Equal(HealthStatus.Unhealthy, m.View.Status);
    }

    [Fact]
    public void Recovery_from_unhealthy_needs_healthy_threshold_successes()
    {
        var (m, p) = New(Spec(healthy: 3, unhealthy: 1));
        p.Fail();
        Assert.Null(p.Ok());
        Assert.Null(p.Ok());
        Assert.Equal(HealthStatus.Unhealthy, m.View.Status);
        var t = p.Ok();
        Assert.Equal((HealthStatus.Unhealthy, HealthStatus.Healthy, "3 consecutive successes"), (t!.From, t.To, t.Reason));
    }

    [Fact]
    public void A_slow_success_makes_a_newly_up_origin_degraded()
    {
        var (m, p) = New(Spec(healthy: 2, degradedMs: 500));
        p.Ok(latencyMs: 900);
        var t = p.Ok(latencyMs: 812.4);
        Assert.Equal((HealthStatus.Unknown, HealthStatus.Degraded, "2 consecutive successes, latency 812 ms above 500 ms"), (t!.From, t.To, t.Reason));
        Assert.Equal(HealthStatus.Degraded, m.View.Status);
    }

    [Fact]
    public void Healthy_and_degraded_follow_each_success_at_once()
    {
        var (m, p) = New(Spec(healthy: 3, degradedMs: 500));
        p.Times(3, () => p.Ok());
        Assert.Equal(HealthStatus.Healthy, m.View.Status);

        var slow = p.Ok(latencyMs: 812);
        Assert.Equal((HealthStatus.Healthy, HealthStatus.Degraded, "latency 812 ms above 500 ms"), (slow!.From, slow.To, slow.Reason));
        Assert.Null(p.Ok(latencyMs: 700));

        var fast = p.Ok(latencyMs: 120);
        Assert.Equal((HealthStatus.Degraded, HealthStatus.Healthy, "latency 120 ms within 500 ms"), (fast!.From, fast.To, fast.Reason));
    }

    [Fact]
    public void Latency_at_the_limit_is_not_slow()
    {
        var (m, p) = New(Spec(healthy: 1, degradedMs: 500));
        p.Ok(latencyMs: 500);
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
    }

    [Fact]
    public void Without_a_degraded_limit_slow_is_healthy()
    {
        var (m, p) = New(Spec(healthy: 1));
        p.Ok(latencyMs: 60_000);
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
    }

    [Fact]
    public void Degraded_becomes_unhealthy_only_at_the_failure_threshold()
    {
        var (m, p) = New(Spec(healthy: 1, unhealthy: 2, degradedMs: 100));
        p.Ok(latencyMs: 300);
        Assert.Null(p.Fail());
        Assert.Equal(HealthStatus.Degraded, m.View.Status);
        Assert.Equal((HealthStatus.Degraded, HealthStatus.Unhealthy), (p.Fail()!.From, m.View.Status));
    }

    [Fact]
    public void View_describes_the_last_probe()
    {
        var (m, p) = New();
        p.Fail("status 503 not in 200-399", status: 503);
        Assert.Equal(p.At, m.View.LastProbeAt);
        Assert.Equal(5, m.View.LastLatencyMs);
        Assert.Equal(503, m.View.LastStatusCode);
        Assert.Equal("status 503 not in 200-399", m.View.LastError);

        p.Fail("connection refused");
        Assert.Null(m.View.LastStatusCode);
        Assert.Equal("connection refused", m.View.LastError);

        p.Ok(latencyMs: 42.5, status: 204);
        Assert.Equal(p.At, m.View.LastProbeAt);
        Assert.Equal(42.5, m.View.LastLatencyMs);
        Assert.Equal(204, m.View.LastStatusCode);
        Assert.Null(m.View.LastError); // cleared on success
        Assert.Equal(RegisteredAt, m.View.Since); // no transition yet
    }

    [Fact]
    public void Keeps_the_last_hundred_observations_oldest_first()
    {
        var (m, p) = New();
        var all = new List<DateTimeOffset>();
        for (var i = 0; i < HealthStateMachine.MaxObservations + 37; i++)
        {
            if (i % 3 == 0) p.Fail(); else p.Ok();
            all.Add(p.At);
        }
        Assert.Equal(all.TakeLast(HealthStateMachine.MaxObservations), m.Observations.Select(o => o.At));
    }

    [Fact]
    public void Keeps_the_last_thousand_transitions_oldest_first()
    {
        // With both thresholds at 1 every change of outcome is a transition.
        var (m, p) = New(Spec(healthy: 1, unhealthy: 1));
        var all = new List<HealthTransition>();
        for (var i = 0; i < HealthStateMachine.MaxTransitions + 5; i++)
            all.Add((i % 2 == 0 ? p.Ok() : p.Fail())!);
        Assert.Equal(all.TakeLast(HealthStateMachine.MaxTransitions), m.Transitions);
    }

    [Fact]
    public void Snapshots_do_not_change_under_the_reader()
    {
        var (m, p) = New(Spec(healthy: 1));
        p.Ok();
        var observations = m.Observations;
        var transitions = m.Transitions;
        p.Fail();
        p.Fail();
        p.Fail();
        Assert.Single(observations);
        Assert.Single(transitions);
        Assert.Equal(4, m.Observations.Count);
        Assert.Equal(2, m.Transitions.Count);
    }

    [Fact]
    public void Ignores_observations_older_than_the_newest_applied()
    {
        var (m, _) = New(Spec(healthy: 1, unhealthy: 1));
        var ok = new Observation(RegisteredAt.AddSeconds(10), true, 20, 200, null, "silo-a:11111");
        m.Apply(ok);
        var view = m.View;

        var late = new Observation(RegisteredAt.AddSeconds(9), false, 20, null, "timeout after 100 ms", "silo-b:11111");
        Assert.Null(m.Apply(late));
        Assert.Equal(view, m.View);
        Assert.Equal([ok], m.Observations);

        // Same time as the newest is not older: applied.
        var sameTime = late with { At = ok.At };
        Assert.NotNull(m.Apply(sameTime));
        Assert.Equal(HealthStatus.Unhealthy, m.View.Status);
    }

    [Fact]
    public void Reconfigure_keeps_status_and_counters_and_judges_later_probes_by_the_new_thresholds()
    {
        var (m, p) = New(Spec(healthy: 1, unhealthy: 3));
        p.Ok();
        p.Fail();
        p.Fail();
        var view = m.View;

        m.Reconfigure(Spec(healthy: 1, unhealthy: 5));
        Assert.Equal(view, m.View);
        Assert.Null(p.Fail());
        Assert.Null(p.Fail());
        Assert.Equal("5 consecutive failures: connection refused", p.Fail()!.Reason);
    }

    [Fact]
    public void Reconfigure_to_a_threshold_already_passed_waits_for_the_next_probe()
    {
        var (m, p) = New(Spec(unhealthy: 3));
        p.Fail();
        p.Fail();
        m.Reconfigure(Spec(unhealthy: 1));
        Assert.Equal(HealthStatus.Unknown, m.View.Status);
        Assert.Equal("3 consecutive failures: connection refused", p.Fail()!.Reason);
    }

    [Fact]
    public void Reconfigure_changes_the_degraded_limit()
    {
        var (m, p) = New(Spec(healthy: 1));
        p.Ok(latencyMs: 300);
        m.Reconfigure(Spec(healthy: 1, degradedMs: 200));
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
        Assert.Equal(HealthStatus.Degraded, p.Ok(latencyMs: 300)!.To);

        m.Reconfigure(Spec(healthy: 1));
        var t = p.Ok(latencyMs: 300);
        Assert.Equal((HealthStatus.Healthy, "latency 300 ms, no degraded limit"), (t!.To, t.Reason));
    }

    [Fact]
    public void Owner_is_reflected_in_the_view()
    {
        var (m, p) = New(owner: null);
        Assert.Null(m.View.Owner);
        p.Ok();
        m.Owner = "silo-b:11111";
        Assert.Equal("silo-b:11111", m.View.Owner);
        p.Ok();
        Assert.Equal("silo-b:11111", m.View.Owner);
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
    }
}

/// <summary>Properties over any sequence of probe outcomes, against an independent statement of the rules.</summary>
public sealed class HealthStateMachineProperties
{
    private const int DegradedMs = 500;

    // One byte per probe: 0-1 a fast success, 2 a slow success, 3 a failure.
    private static Observation Decode(byte step, int i) => (step % 4) switch
    {
        3 => new Observation(HealthStateMachineTests.RegisteredAt.AddSeconds(i + 1), false, 10, null, $"error {i}", "p"),
        2 => new Observation(HealthStateMachineTests.RegisteredAt.AddSeconds(i + 1), true, DegradedMs + 1, 200, null, "p"),
        _ => new Observation(HealthStateMachineTests.RegisteredAt.AddSeconds(i + 1), true, DegradedMs, 200, null, "p"),
    };

    private static (HealthStateMachine Machine, Observation[] Seen) Run(byte[] steps, int healthy, int unhealthy)
    {
        var m = new HealthStateMachine(HealthStateMachineTests.Spec(healthy, unhealthy, DegradedMs), HealthStateMachineTests.RegisteredAt, "p");
        var seen = steps.Select(Decode).ToArray();
        foreach (var o in seen) m.Apply(o);
        return (m, seen);
    }

    private static int Threshold(byte b) => 1 + b % 5;

    private static int TrailingRun(Observation[] seen, bool success) =>
        seen.Reverse().TakeWhile(o => o.Success == success).Count();

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 250)]
    public bool Status_is_unhealthy_iff_the_last_threshold_probes_failed_when_one_success_recovers(byte[] steps, byte u)
    {
        var unhealthy = Threshold(u);
        var (m, seen) = Run(steps, healthy: 1, unhealthy);
        var lastFailed = seen.Length >= unhealthy && seen.TakeLast(unhealthy).All(o => !o.Success);
        return (m.View.Status == HealthStatus.Unhealthy) == lastFailed;
    }

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 250)]
    public bool Status_is_set_by_the_last_probe_that_completed_a_threshold_run(byte[] steps, byte h, byte u)
    {
        var (healthy, unhealthy) = (Threshold(h), Threshold(u));
        var (m, seen) = Run(steps, healthy, unhealthy);

        // The last probe that ended a run of successes (failures) at least as long as its threshold decides.
        var expected = HealthStatus.Unknown;
        int successes = 0, failures = 0;
        foreach (var o in seen)
        {
            (successes, failures) = o.Success ? (successes + 1, 0) : (0, failures + 1);
            if (!o.Success && failures >= unhealthy) expected = HealthStatus.Unhealthy;
            if (o.Success && successes >= healthy) expected = o.LatencyMs > DegradedMs ? HealthStatus.Degraded : HealthStatus.Healthy;
        }
        return m.View.Status == expected;
    }

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 250)]
    public bool Unhealthy_follows_failures_and_up_follows_successes(byte[] steps, byte h, byte u)
    {
        var (healthy, unhealthy) = (Threshold(h), Threshold(u));
        var (m, seen) = Run(steps, healthy, unhealthy);
        var status = m.View.Status;
        var failedRun = TrailingRun(seen, success: false);
        var succeededRun = TrailingRun(seen, success: true);
        return (failedRun < unhealthy || status == HealthStatus.Unhealthy) &&
               (succeededRun < healthy || status == (seen[^1].LatencyMs > DegradedMs ? HealthStatus.Degraded : HealthStatus.Healthy));
    }

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 250)]
    public bool View_counters_and_last_probe_match_the_sequence(byte[] steps, byte h, byte u)
    {
        var (m, seen) = Run(steps, Threshold(h), Threshold(u));
        var v = m.View;
        var last = seen.LastOrDefault();
        return v.ConsecutiveSuccesses == TrailingRun(seen, success: true) &&
               v.ConsecutiveFailures == TrailingRun(seen, success: false) &&
               v.LastProbeAt == last?.At &&
               v.LastError == last?.Error &&
               m.Observations.SequenceEqual(seen.TakeLast(HealthStateMachine.MaxObservations));
    }

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 250)]
    public bool Transitions_chain_from_unknown_to_the_current_status(byte[] steps, byte h, byte u)
    {
        var (m, _) = Run(steps, Threshold(h), Threshold(u));
        var t = m.Transitions;
        var chained = t.Zip(t.Skip(1)).All(p => p.First.To == p.Second.From && p.First.At <= p.Second.At);
        return chained &&
               t.All(x => x.From != x.To && x.Reason.Length > 0) &&
               (t.Count == 0
                   ? m.View.Status == HealthStatus.Unknown && m.View.Since == HealthStateMachineTests.RegisteredAt
                   : t[0].From == HealthStatus.Unknown && t[^1].To == m.View.Status && t[^1].At == m.View.Since);
    }

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 250)]
    public bool Late_observations_are_as_if_never_delivered(byte[] steps, byte[] seconds, byte h, byte u)
    {
        var (healthy, unhealthy) = (Threshold(h), Threshold(u));
        var spec = HealthStateMachineTests.Spec(healthy, unhealthy, DegradedMs);
        // Delivery in any order of times: the machine must equal one fed only the in-order ones.
        var delivered = steps.Zip(seconds, (s, sec) => Decode(s, 0) with { At = HealthStateMachineTests.RegisteredAt.AddSeconds(sec) }).ToArray();
        var shuffled = new HealthStateMachine(spec, HealthStateMachineTests.RegisteredAt, "p");
        var ordered = new HealthStateMachine(spec, HealthStateMachineTests.RegisteredAt, "p");
        DateTimeOffset? newest = null;
        foreach (var o in delivered)
        {
            var applied = shuffled.Apply(o);
            if (newest is null || o.At >= newest)
            {
                newest = o.At;
                if (!Equals(applied, ordered.Apply(o))) return false;
            }
            else if (applied is not null) return false;
        }
        return shuffled.View == ordered.View && shuffled.Observations.SequenceEqual(ordered.Observations);
    }
}
