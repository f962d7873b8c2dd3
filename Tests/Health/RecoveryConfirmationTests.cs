using Heck.Grains.Health;
using Heck.Grains.Origins;

namespace Heck.Tests.Health;

/// <summary>Recovery needs the same majority as failure (item 8 of issue 10).</summary>
public sealed class RecoveryConfirmationTests
{
    private const string Owner = "owner:11111", Confirmer = "confirmer:11111";
    private DateTimeOffset _at = HealthStateMachineTests.RegisteredAt;

    private Observation Probe(bool success) =>
        new(_at = _at.AddSeconds(1), success, 5, success ? 200 : null, success ? null : "connection refused", Owner);

    /// <summary>A machine whose origin is unhealthy, confirmed by owner and confirmer.</summary>
    private HealthStateMachine Unhealthy(int healthy = 2)
    {
        var m = new HealthStateMachine(HealthStateMachineTests.Spec(healthy: healthy, unhealthy: 1), _at, Owner);
        m.Apply(Probe(false), new Confirmation([Owner, Confirmer], []));
        Assert.Equal(HealthStatus.Unhealthy, m.View.Status);
        return m;
    }

    [Theory]
    // owner's own probe, confirmers that failed, confirmers that succeeded → reachable?
    [InlineData(false, 0, 1, true)]   // the owner alone fails: its path, not the origin
    [InlineData(false, 1, 0, false)]
    [InlineData(false, 1, 1, false)]  // 2 of 3 fail
    [InlineData(true, 1, 0, false)]   // the owner alone succeeds: one lucky probe
    [InlineData(true, 0, 1, true)]
    [InlineData(true, 2, 1, false)]
    [InlineData(true, 1, 1, true)]    // 2 of 3 succeed
    [InlineData(true, 0, 0, true)]    // nobody else answered: the owner decides alone
    [InlineData(false, 0, 0, false)]
    public void A_strict_majority_decides_and_a_tie_goes_against_the_owner(bool ownerSucceeded, int failed, int succeeded, bool reachable)
    {
        var failedAt = Enumerable.Range(0, failed).Select(i => $"f{i}").ToList();
        var succeededAt = Enumerable.Range(0, succeeded).Select(i => $"s{i}").ToList();
        (ownerSucceeded ? succeededAt : failedAt).Add(Owner);
        var c = new Confirmation(failedAt, succeededAt, ownerSucceeded);
        Assert.Equal(reachable, c.Reachable);
        Assert.Equal(!reachable, c.Upheld);
    }

    [Fact]
    public void An_owner_with_a_broken_path_lets_the_origin_recover_when_the_others_reach_it()
    {
        var m = Unhealthy(healthy: 2);
        Assert.True(m.RecoveryNeedsConfirmation(success: false));

        // The owner keeps failing; its confirmer reaches the origin.
        Assert.Null(m.Apply(Probe(false), new Confirmation([Owner], [Confirmer])));
        Assert.Equal(HealthStatus.Unhealthy, m.View.Status); // one round is not the healthy threshold
        var t = m.Apply(Probe(false), new Confirmation([Owner], [Confirmer]));

        Assert.NotNull(t);
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
        Assert.Contains("confirmed by 1 of 2", t.Reason);
        Assert.Contains(Confirmer, m.View.LastError); // the owner's own failure stays visible
        Assert.Null(m.View.ConfirmedBy);
    }

    [Fact]
    public void One_lucky_probe_of_the_owner_does_not_end_an_unhealthy_spell()
    {
        var m = Unhealthy(healthy: 1);
        Assert.True(m.RecoveryNeedsConfirmation(success: true));

        Assert.Null(m.Apply(Probe(true), new Confirmation([Confirmer], [Owner], OwnerSucceeded: true)));
        Assert.Equal(HealthStatus.Unhealthy, m.View.Status);
        Assert.Contains("recovery not confirmed", m.View.LastError);

        var t = m.Apply(Probe(true), new Confirmation([], [Owner, Confirmer], OwnerSucceeded: true));
        Assert.Equal(HealthStatus.Healthy, t?.To);
    }

    [Fact]
    public void Successes_below_the_healthy_threshold_need_no_confirmation_and_healthy_origins_none()
    {
        var m = Unhealthy(healthy: 3);
        Assert.False(m.RecoveryNeedsConfirmation(success: true)); // 1 of 3
        m.Apply(Probe(true));
        Assert.False(m.RecoveryNeedsConfirmation(success: true)); // 2 of 3
        m.Apply(Probe(true));
        Assert.True(m.RecoveryNeedsConfirmation(success: true));  // this one would end the spell
        Assert.True(m.RecoveryNeedsConfirmation(success: false));

        var healthy = new HealthStateMachine(HealthStateMachineTests.Spec(healthy: 1), _at, Owner);
        healthy.Apply(Probe(true));
        Assert.False(healthy.RecoveryNeedsConfirmation(success: false));
    }

    [Fact]
    public void Without_a_confirmation_the_owner_alone_decides_recovery_as_before()
    {
        var m = Unhealthy(healthy: 1);
        Assert.Equal(HealthStatus.Healthy, m.Apply(Probe(true))?.To);
    }

    [Theory]
    [InlineData(null, null, 5, 1, 1)]
    [InlineData(2, null, 5, 2, 2)]     // recovery follows the failure side by default
    [InlineData(2, 0, 5, 2, 0)]        // and may be turned off alone
    [InlineData(null, 3, 3, 1, 2)]     // never more than the other silos
    [InlineData(null, null, 1, 0, 0)]
    public void Recovery_confirmers_default_to_the_failure_side(int? confirmers, int? recovery, int live, int failure, int recovering)
    {
        var options = new ConfirmationOptions { Confirmers = confirmers, RecoveryConfirmers = recovery };
        Assert.Equal(failure, options.For(live));
        Assert.Equal(recovering, options.ForRecovery(live));
    }

    [Fact]
    public void A_failure_no_confirmer_answered_holds_the_status_and_the_next_answered_round_decides()
    {
        var m = new HealthStateMachine(HealthStateMachineTests.Spec(healthy: 1, unhealthy: 1), _at, Owner);
        m.Apply(Probe(true));
        Assert.Equal(HealthStatus.Healthy, m.View.Status);

        // One confirmer asked, none answered: only the owner's failed vote.
        Assert.Null(m.Apply(Probe(false), new Confirmation([Owner], [], Asked: 1)));
        Assert.Equal(HealthStatus.Healthy, m.View.Status);
        Assert.Equal("connection refused (not confirmed: no confirmer answered)", m.View.LastError);
        Assert.True(m.FailureWouldTurnUnhealthy); // so the next round asks again

        var t = m.Apply(Probe(false), new Confirmation([Owner, Confirmer], [], Asked: 1));
        Assert.Equal(HealthStatus.Unhealthy, t?.To);
    }

    [Fact]
    public void A_recovery_no_confirmer_answered_holds_the_unhealthy_status()
    {
        var m = Unhealthy(healthy: 1);
        Assert.Null(m.Apply(Probe(true), new Confirmation([], [Owner], OwnerSucceeded: true, Asked: 2)));
        Assert.Equal(HealthStatus.Unhealthy, m.View.Status);
        Assert.Equal("recovery not confirmed: no confirmer answered", m.View.LastError);

        var t = m.Apply(Probe(true), new Confirmation([], [Owner, Confirmer], OwnerSucceeded: true, Asked: 2));
        Assert.Equal(HealthStatus.Healthy, t?.To);
    }

    [Fact]
    public void With_no_confirmer_to_ask_the_owner_decides_alone()
    {
        var m = new HealthStateMachine(HealthStateMachineTests.Spec(healthy: 1, unhealthy: 1), _at, Owner);
        m.Apply(Probe(true));
        Assert.Equal(HealthStatus.Unhealthy, m.Apply(Probe(false), new Confirmation([Owner], [], Asked: 0))?.To);
    }
}
