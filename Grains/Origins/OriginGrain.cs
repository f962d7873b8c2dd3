using Heck.Api;
using Heck.Grains.Cluster;
using Heck.Grains.Health;
using Heck.Grains.Metrics;
using Heck.Grains.Placement;
using Heck.Grains.Probing;
using Heck.Grains.Replica;
using Heck.Health;
using Heck.Origins;
using Heck.Replication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Heck.Grains.Origins;

/// <summary>
/// One origin. Its spec lives in the replicated registry (journalled on every silo), and the
/// local replica's entry is the only source of truth: where the grain is active (its owner silo)
/// it reads the current entry before every probe, so an edit takes effect at the next probe
/// whichever silo's replica learnt it first, and an origin that left the registry stops being
/// probed. It runs the health state machine and writes each observation into the local replica,
/// from which gossip spreads it.
/// </summary>
[GrainType(GrainTypeName), RendezvousPlacement]
public sealed class OriginGrain(
    IOriginProber prober, LocalReplica replica, LocalOrigins local, Confirmers confirmers, TimeProvider time,
    ILocalSiloDetails silo, IClusterMembershipService membership, RendezvousPlacementDirector director,
    OriginMetrics metrics, HeckMeter meter, NetworkPolicy policy, IOptions<LimitsOptions> limitsOptions, ILogger<OriginGrain> logger)
    : Grain, IOriginGrain, IGrainMigrationParticipant
{
    public const string GrainTypeName = "origin";
    /// <summary>How soon a new owner first probes an origin it took over (spread over this window).</summary>
    private static readonly TimeSpan TakeoverWindow = TimeSpan.FromMilliseconds(250);

    private readonly string _owner = silo.SiloAddress.Label();
    private readonly LimitsOptions _limits = limitsOptions.Value;
    private readonly CancellationTokenSource _deactivating = new();

    // The registry entry the schedule and state machine were set up from: a copy for noticing
    // changes, never a source of truth (that is the replica).
    private OriginSpec? _spec;
    private HealthStateMachine? _health;
    private ProbeSchedule? _schedule;
    private IGrainTimer? _timer;
    // Bumped on every spec change: a probe that started under an older spec is discarded.
    private int _specVersion;
    private bool _probing;
    // Set once the reconciler has asked this activation to leave: its deactivation is expected.
    private bool _handingOff;
    // What a migration brought from the previous owner's replica: its registry entry and health
    // record, merged into this silo's replica like a gossiped delta, so neither can override a
    // newer entry or record already here.
    private Delta? _carried;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_carried is { } carried)
        {
            _carried = null;
            replica.Apply(carried);
        }
        Sync();
        return Task.CompletedTask;
    }

    public void OnDehydrate(IDehydrationContext context)
    {
        var state = replica.State;
        if (state.Registry.Get(Id) is not { } entry) return;
        var own = state.Health.Get(Id, replica.Self);
        var version = VersionVector.Empty.Add(entry.Dot);
        if (own is not null) version = version.Add(own.Dot);
        context.TryAddValue("heck.carried", new Delta([entry], own is null ? [] : [own], version, VersionVector.Empty));
    }

    public void OnRehydrate(IRehydrationContext context)
    {
        if (context.TryGetValue<Delta>("heck.carried", out var carried) && carried is not null) _carried = carried;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        _timer?.Dispose();
        // A registered origin's activation leaving on its own (not handed off, removed, migrated or
        // stopped with the silo) leaves the origin unprobed until something activates it again.
        if (_spec is not null && replica.Spec(Id) is not null && !_handingOff &&
            reason.ReasonCode is not (DeactivationReasonCode.ShuttingDown or DeactivationReasonCode.Migrating))
        {
            logger.LogInformation("Origin {Id} lost its activation ({Reason}); reconciling", Id, reason);
            local.MarkLost(Id, this);
        }
        else local.Remove(Id, this);
        metrics.Forget(Id);
        // The replica keeps the last known state for readers; the next owner overwrites it.
        return Task.CompletedTask;
    }

    /// <summary>
    /// Brings probing in line with the registry's current entry: starts it (from the replicated
    /// verdict), takes an edited spec, or stops when the origin left the registry. Returns the
    /// current spec, or null when there is none.
    /// </summary>
    private OriginSpec? Sync()
    {
        var spec = replica.Spec(Id);
        if (spec is null)
        {
            if (_spec is not null) Retire("left the registry");
            return null;
        }
        if (_spec is null) Begin(spec);
        else if (!_spec.Equals(spec)) Reconfigure(spec);
        else local.Add(Id, this); // in case a duplicate activation's deactivation took the entry
        return spec;
    }

    public Task<ConfigureResult> Configure(OriginSpec spec) => Task.FromResult(ConfigureNow(spec));

    private ConfigureResult ConfigureNow(OriginSpec incoming)
    {
        var stored = replica.Spec(Id);
        var spec = Restored(incoming, stored, out var restoreErrors);
        // Re-validate: a client that skipped validation must not store a spec the API would refuse.
        IReadOnlyList<FieldError> errors = restoreErrors.Count > 0 ? restoreErrors : OriginValidator.Validate(spec, _limits.MinIntervalMs);
        if (errors.Count == 0 && spec.Id != Id)
            errors = [new FieldError("id", $"does not match the grain key '{Id}'")];
        if (errors.Count == 0 && policy.CheckLiteral(spec.Url) is { } denied)
            errors = [denied];
        if (errors.Count > 0) return new ConfigureResult(false, null, errors);
        if (!spec.Equals(stored) &&
            ProbeAdmission.Decide(ProbeLoad.Of(replica.State.Registry.Live.Select(e => e.Spec!)), stored, spec,
                membership.CurrentSnapshot.ActiveSilos().Length, _limits) is { } refusal)
        {
            logger.LogWarning("Origin {Id} refused: {Detail}", Id, refusal.Detail);
            return new ConfigureResult(false, CurrentView(), []) { Refused = refusal };
        }

        // Journalled in the local replica before we answer (nothing when unchanged); gossip
        // spreads it from there, and probing follows the registry.
        var created = replica.Upsert(spec);
        var changed = _spec is null || !_spec.Equals(spec);
        Sync();
        if (changed)
            logger.LogInformation("Origin {Id} {Action}: {Url} every {IntervalMs} ms", Id, created ? "registered" : "updated", Redaction.Url(spec.Url), spec.IntervalMs);
        return new ConfigureResult(created, CurrentView(), []) { Token = replica.TokenOf(Id) };
    }

    /// <summary>The spec a write means: a <see cref="Redaction.Mask"/> sent back keeps the stored secret.</summary>
    private static OriginSpec Restored(OriginSpec incoming, OriginSpec? stored, out List<FieldError> errors)
    {
        errors = [];
        return Redaction.Restore(incoming, stored, errors);
    }

    public Task<ConfigureResult> ConfigureIf(OriginSpec spec, WriteCondition condition)
    {
        var current = CurrentETag();
        // A write of the spec that is already current changes nothing (a retried write that went through).
        return Task.FromResult(condition.Admits(current) || (replica.Spec(Id) is { } stored && stored == Restored(spec, stored, out _))
            ? ConfigureNow(spec)
            : new ConfigureResult(false, CurrentView(), [], ConditionFailed: true, CurrentETag: current));
    }

    public Task<RemoveResult> RemoveIf(WriteCondition condition)
    {
        var current = CurrentETag();
        if (!condition.Admits(current)) return Task.FromResult(new RemoveResult(false, true, current));
        var removed = RemoveNow();
        return Task.FromResult(new RemoveResult(removed, false, current) { Token = removed ? replica.TokenOf(Id) : CausalToken.Empty });
    }

    // The registry's spec, which every write goes through and every read shows.
    private string? CurrentETag() => replica.Spec(Id) is { } spec ? OriginETag.Of(spec) : null;

    public Task<bool> Remove() => Task.FromResult(RemoveNow());

    private bool RemoveNow()
    {
        var removed = replica.Remove(Id);
        if (!removed && _spec is null) return false;
        Retire("removed");
        return removed;
    }

    public Task<OriginView?> GetView()
    {
        // An activation made before its spec reached this silo's replica starts once it has.
        Sync();
        return Task.FromResult(CurrentView());
    }

    public Task<OwnedRead> ReadOwned()
    {
        Sync();
        return Task.FromResult(new OwnedRead(CurrentView(), replica.TokenOf(Id)));
    }

    public Task Handoff()
    {
        // Keep probing until the activation really leaves (OnDeactivateAsync). Migrate straight to
        // the owner this silo sees: placement here honours the hint, so the move does not depend on
        // the new owner's own placement view (which lags just after it joins, and placed the origin
        // right back here, pass after pass), and the directory entry moves with the activation.
        var owner = director.Owner(Id, membership.CurrentSnapshot.ActiveSilos());
        logger.LogInformation("Origin {Id} hands off to its new owner {Owner}", Id, owner);
        _handingOff = true;
        meter.Handoffs.Add(1);
        if (owner is not null && !owner.Equals(silo.SiloAddress))
        {
            RequestContext.Set(Orleans.Runtime.Placement.IPlacementDirector.PlacementHintKey, owner);
            this.MigrateOnIdle();
        }
        else DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Observation>> GetObservations() =>
        Task.FromResult(_health?.Observations ?? (IReadOnlyList<Observation>)[]);

    public Task<IReadOnlyList<HealthTransition>> GetTransitions() =>
        Task.FromResult(_health?.Transitions ?? (IReadOnlyList<HealthTransition>)[]);

    private OriginView? CurrentView() =>
        _spec is { } spec && _health is not null ? new OriginView(spec, _health.View) : null;

    /// <summary>
    /// Starts probing. A new owner continues from the freshest verdict any replica left (a
    /// handoff, a takeover after a crash, a silo restarted on its data) rather than from unknown,
    /// and probes soon; a new origin starts unknown.
    /// </summary>
    private void Begin(OriginSpec spec)
    {
        var now = time.GetUtcNow();
        var previous = ShownHealth.VerdictToResume(replica.State, Id, spec.IntervalMs, now) ?? replica.RememberedVerdict(Id, spec.IntervalMs, now);
        _health = previous is not null ? new HealthStateMachine(spec, previous, _owner) : new HealthStateMachine(spec, now, _owner);
        Schedule(spec, takeover: previous is not null);
    }

    private void Reconfigure(OriginSpec spec)
    {
        var interval = _spec!.IntervalMs;
        _health!.Reconfigure(spec);
        logger.LogInformation("Origin {Id} probes its current spec: {Url} every {IntervalMs} ms", Id, Redaction.Url(spec.Url), spec.IntervalMs);
        if (spec.IntervalMs != interval) Schedule(spec, takeover: false);
        else
        {
            _specVersion++; // a probe of the old spec still out is discarded
            _spec = spec;
        }
    }

    private void Retire(string why)
    {
        logger.LogInformation("Origin {Id} {Why}: stops probing", Id, why);
        _spec = null;
        _health = null;
        local.Remove(Id, this);
        metrics.Forget(Id);
        StopProbing();
        DeactivateOnIdle();
    }

    private void Schedule(OriginSpec spec, bool takeover)
    {
        _specVersion++;
        _spec = spec;
        local.Add(Id, this);
        StopProbing();
        var now = time.GetUtcNow();
        _schedule = new ProbeSchedule(TimeSpan.FromMilliseconds(spec.IntervalMs), now, Random.Shared,
            takeover ? TakeoverWindow : null);
        // One-shot timer re-armed after each probe: a probe never overlaps the next one, and
        // Interleave lets reads and reconfiguration proceed while a probe waits on the network.
        _timer = this.RegisterGrainTimer(ProbeOnceAsync, new GrainTimerCreationOptions
        {
            DueTime = _schedule.DueIn(now),
            Period = Timeout.InfiniteTimeSpan,
            Interleave = true,
            KeepAlive = true,
        });
    }

    /// <summary>
    /// After a probe of a spec that changed while it ran: its result is dropped, but the timer it
    /// ran on still serves the new spec (same interval) unless a new schedule or a removal replaced it.
    /// </summary>
    private void RearmIfCurrent(IGrainTimer? timer)
    {
        if (timer is not null && ReferenceEquals(timer, _timer) && _schedule is not null)
            timer.Change(_schedule.DueIn(time.GetUtcNow()), Timeout.InfiniteTimeSpan);
    }

    private void StopProbing()
    {
        _timer?.Dispose();
        _timer = null;
        _specVersion++;
    }

    private async Task ProbeOnceAsync(CancellationToken cancellationToken)
    {
        // The registry decides what is probed, at every probe. Gone: stopped. A new interval:
        // rescheduled, and the new timer probes.
        var ticked = _timer;
        if (Sync() is null || !ReferenceEquals(ticked, _timer)) return;
        if (_spec is not { } spec || _health is null || _schedule is null) return;
        if (_probing)
        {
            // The previous probe (of an older spec) is still out: never two at once, take the next slot.
            _timer?.Change(_schedule.Advance(time.GetUtcNow()), Timeout.InfiniteTimeSpan);
            return;
        }
        var version = _specVersion;
        var timer = _timer;
        _probing = true;
        try
        {
            var startedAt = time.GetUtcNow();
            _schedule.Advance(startedAt);
            ProbeResult result;
            try
            {
                result = await prober.ProbeAsync(spec, _deactivating.Token);
            }
            catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
            {
                return;
            }
            if (version != _specVersion) { RearmIfCurrent(timer); return; } // reconfigured or removed while probing

            var observation = new Observation(startedAt, result.Success, result.LatencyMs, result.StatusCode, result.Error, _owner);
            // Until it has a verdict of its own, an owner continues from the latest verdict another
            // owner left, as on a handoff: gossip may bring that verdict only after this activation
            // started fresh (a silo restarted on its old data takes its origins back at once).
            if (_health.View.Status == HealthStatus.Unknown &&
                (ShownHealth.VerdictToResume(replica.State, Id, spec.IntervalMs, startedAt) ?? replica.RememberedVerdict(Id, spec.IntervalMs, startedAt)) is { } verdict)
                _health = new HealthStateMachine(spec, verdict, _owner);
            Confirmation? confirmation = null;
            if (!result.Success && _health.FailureWouldTurnUnhealthy)
                confirmation = await confirmers.AskAsync(spec);
            else if (_health.RecoveryNeedsConfirmation(result.Success))
                confirmation = await confirmers.AskAsync(spec, ownerSucceeded: result.Success, recovery: true);
            if (version != _specVersion) { RearmIfCurrent(timer); return; }
            var transition = _health.Apply(observation, confirmation);
            replica.RecordHealth(Id, _health.View, transition);
            metrics.Record(spec, result, _health.View.Status, transition is not null);
            if (transition is not null)
            {
                logger.LogInformation("Origin {Id} {From} -> {To}: {Reason}", Id, transition.From, transition.To, transition.Reason);
            }
            timer?.Change(_schedule.DueIn(time.GetUtcNow()), Timeout.InfiniteTimeSpan);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in probing must not stop the schedule of this origin.
            logger.LogError(ex, "Probe of origin {Id} failed unexpectedly", Id);
            RearmIfCurrent(timer);
        }
        finally
        {
            _probing = false;
        }
    }
}
