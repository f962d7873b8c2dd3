using Heck.Grains.Cluster;
using Heck.Grains.Health;
using Heck.Grains.Placement;
using Heck.Grains.Probing;
using Heck.Grains.Replica;
using Heck.Health;
using Heck.Origins;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Heck.Grains.Origins;

/// <summary>
/// One origin. Its spec lives in the replicated registry (journalled on every silo), so wherever
/// the grain activates it finds the spec in its silo's replica; where it is active (its owner
/// silo) it probes on a grain timer, runs the health state machine, and writes each observation
/// into the local replica, from which gossip spreads it.
/// </summary>
[GrainType(GrainTypeName), RendezvousPlacement]
public sealed class OriginGrain(
    IOriginProber prober, LocalReplica replica, LocalOrigins local, Confirmers confirmers, TimeProvider time,
    ILocalSiloDetails silo, IClusterMembershipService membership, RendezvousPlacementDirector director,
    ILogger<OriginGrain> logger)
    : Grain, IOriginGrain, IGrainMigrationParticipant
{
    public const string GrainTypeName = "origin";
    /// <summary>How soon a new owner first probes an origin it took over (spread over this window).</summary>
    private static readonly TimeSpan TakeoverWindow = TimeSpan.FromMilliseconds(250);

    private readonly string _owner = silo.SiloAddress.Label();
    private readonly CancellationTokenSource _deactivating = new();

    private OriginSpec? _spec;
    private HealthStateMachine? _health;
    private ProbeSchedule? _schedule;
    private IGrainTimer? _timer;
    // Bumped on every spec change: a probe that started under an older spec is discarded.
    private int _specVersion;
    private bool _probing;
    // Set once the reconciler has asked this activation to leave: its deactivation is expected.
    private bool _handingOff;
    // Spec and health carried along when Orleans migrates this activation to its new owner, so the
    // new owner starts at once even before gossip has brought it the spec.
    private (OriginSpec Spec, HealthView? Health)? _carried;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StartFromReplica();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Starts probing from what is known: a spec carried over by migration, else the replica's.
    /// A handoff continues from the health the previous owner had (carried, or replicated).
    /// </summary>
    private void StartFromReplica()
    {
        if (_spec is not null)
        {
            // Probing already: say so again, in case a duplicate activation's deactivation took the entry.
            local.Add(Id, this);
            return;
        }
        var spec = replica.Spec(Id) ?? _carried?.Spec;
        if (spec is null) return;
        var previous = _carried?.Health ?? replica.Get(Id)?.Health;
        _carried = null;
        _health = previous is { Status: not HealthStatus.Unknown } ? new HealthStateMachine(spec, previous, _owner) : null;
        Start(spec, fresh: _health is null, takeover: _health is not null);
    }

    public void OnDehydrate(IDehydrationContext context)
    {
        if (_spec is null) return;
        context.TryAddValue("heck.spec", _spec);
        if (_health is not null) context.TryAddValue("heck.health", _health.View);
    }

    public void OnRehydrate(IRehydrationContext context)
    {
        if (context.TryGetValue<OriginSpec>("heck.spec", out var spec) && spec is not null)
            _carried = (spec, context.TryGetValue<HealthView>("heck.health", out var health) ? health : null);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        _timer?.Dispose();
        // A registered origin's activation leaving on its own (not handed off, removed, migrated or
        // stopped with the silo) leaves the origin unprobed until something activates it again.
        if (_spec is not null && !_handingOff && reason.ReasonCode is not (DeactivationReasonCode.ShuttingDown or DeactivationReasonCode.Migrating))
        {
            logger.LogInformation("Origin {Id} lost its activation ({Reason}); reconciling", Id, reason);
            local.MarkLost(Id, this);
        }
        else local.Remove(Id, this);
        // The replica keeps the last known state for readers; the next owner overwrites it.
        return Task.CompletedTask;
    }

    public Task<ConfigureResult> Configure(OriginSpec spec) => Task.FromResult(ConfigureNow(spec));

    private ConfigureResult ConfigureNow(OriginSpec spec)
    {
        // Re-validate: a client that skipped validation must not store a spec the API would refuse.
        var errors = OriginValidator.Validate(spec);
        if (errors.Count == 0 && spec.Id != Id)
            errors = [new FieldError("id", $"does not match the grain key '{Id}'")];
        if (errors.Count > 0) return new ConfigureResult(false, null, errors);

        var current = replica.Spec(Id);
        if (current is not null && current.Equals(spec) && _spec is not null)
            return new ConfigureResult(false, CurrentView(), []); // unchanged: keep schedule and health

        // Journalled in the local replica before we answer; gossip spreads it from there.
        var created = replica.Upsert(spec);
        Start(spec, fresh: created);
        logger.LogInformation("Origin {Id} {Action}: {Url} every {IntervalMs} ms", Id, created ? "registered" : "updated", spec.Url, spec.IntervalMs);
        return new ConfigureResult(created, CurrentView(), []);
    }

    public Task<bool> Remove()
    {
        var removed = replica.Remove(Id);
        if (!removed && _spec is null) return Task.FromResult(false);
        _spec = null;
        local.Remove(Id, this);
        StopProbing();
        _health = null;
        logger.LogInformation("Origin {Id} removed", Id);
        DeactivateOnIdle();
        return Task.FromResult(removed);
    }

    public Task<OriginView?> GetView()
    {
        // An activation made before its spec reached this silo's replica starts once it has.
        StartFromReplica();
        return Task.FromResult(CurrentView());
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

    private void Start(OriginSpec spec, bool fresh, bool takeover = false)
    {
        _specVersion++;
        _spec = spec;
        local.Add(Id, this);
        if (fresh || _health is null)
            _health = new HealthStateMachine(spec, time.GetUtcNow(), _owner);
        else
            _health.Reconfigure(spec);

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

    private void StopProbing()
    {
        _timer?.Dispose();
        _timer = null;
        _specVersion++;
    }

    private async Task ProbeOnceAsync(CancellationToken cancellationToken)
    {
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
            if (version != _specVersion) return; // reconfigured or removed while probing

            var observation = new Observation(startedAt, result.Success, result.LatencyMs, result.StatusCode, result.Error, _owner);
            // Until it has a verdict of its own, an owner continues from the latest verdict another
            // owner left, as on a handoff: gossip may bring that verdict only after this activation
            // started fresh (a silo restarted on its old data takes its origins back at once).
            if (_health.View.Status == HealthStatus.Unknown && replica.VerdictOfOtherOwners(Id) is { } verdict)
                _health = new HealthStateMachine(spec, verdict, _owner);
            var confirmation = !result.Success && _health.FailureWouldTurnUnhealthy ? await confirmers.AskAsync(spec) : null;
            if (version != _specVersion) return;
            var transition = _health.Apply(observation, confirmation);
            replica.RecordHealth(Id, _health.View, transition);
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
            if (version == _specVersion && _schedule is not null)
                timer?.Change(_schedule.DueIn(time.GetUtcNow()), Timeout.InfiniteTimeSpan);
        }
        finally
        {
            _probing = false;
        }
    }
}
