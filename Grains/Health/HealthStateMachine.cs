using System.Globalization;
using Heck.Health;
using Heck.Origins;

namespace Heck.Grains.Health;

/// <summary>
/// Turns one origin's observations into its health: consecutive-success and consecutive-failure
/// thresholds, and degraded latency. Pure: no clock (every time comes from an observation), no
/// I/O, not thread-safe (its grain calls it one turn at a time).
/// </summary>
/// <remarks>
/// Observations older than the newest one applied are ignored: a late probe result (from a
/// slow prober or a delayed message) describes the past and must not override what a newer
/// probe saw. Observations with the same time as the newest are applied in arrival order.
/// </remarks>
public sealed class HealthStateMachine
{
    public const int MaxObservations = 100;
    public const int MaxTransitions = 1000;

    private readonly Ring<Observation> _observations = new(MaxObservations);
    private readonly Ring<HealthTransition> _transitions = new(MaxTransitions);
    private OriginSpec _spec;
    private HealthView _view;
    private DateTimeOffset? _newestAt;

    public HealthStateMachine(OriginSpec spec, DateTimeOffset registeredAt, string? owner)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _view = HealthView.Initial(registeredAt, owner);
    }

    /// <summary>
    /// Continues from health another prober reported (an ownership handoff): status, since and
    /// counters carry over, so a new owner neither resets an origin to unknown nor needs a full
    /// threshold of probes to keep showing what the old owner saw.
    /// </summary>
    public HealthStateMachine(OriginSpec spec, HealthView resumeFrom, string? owner)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(resumeFrom);
        _spec = spec;
        _view = resumeFrom with { Owner = owner };
    }

    public HealthView View => _view;

    /// <summary>The last <see cref="MaxObservations"/> applied observations, oldest first; a snapshot.</summary>
    public IReadOnlyList<Observation> Observations => _observations.Snapshot();

    /// <summary>Status changes, oldest first, the oldest dropped beyond <see cref="MaxTransitions"/>; a snapshot.</summary>
    public IReadOnlyList<HealthTransition> Transitions => _transitions.Snapshot();

    public string? Owner
    {
        get => _view.Owner;
        set => _view = _view with { Owner = value };
    }

    /// <summary>
    /// Takes new thresholds and degraded latency. Counters and status stay as they are; the new
    /// rules judge from the next observation on, so a reconfiguration alone never changes status.
    /// </summary>
    public void Reconfigure(OriginSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
    }

    /// <summary>
    /// Whether a failing observation now would turn the origin unhealthy: the moment its owner
    /// asks the confirmers to probe too.
    /// </summary>
    public bool FailureWouldTurnUnhealthy =>
        _view.Status != HealthStatus.Unhealthy && Saturating(_view.ConsecutiveFailures) >= _spec.UnhealthyThreshold;

    /// <summary>
    /// Whether the owner's probe with outcome <paramref name="success"/> needs the confirmers while
    /// the origin is unhealthy: a failure (the owner's own path may be what is broken), or the
    /// success that would end the unhealthy spell (it may be one lucky probe). Recovery then needs
    /// the same majority as failure.
    /// </summary>
    public bool RecoveryNeedsConfirmation(bool success) =>
        _view.Status == HealthStatus.Unhealthy && (!success || Saturating(_view.ConsecutiveSuccesses) >= _spec.HealthyThreshold);

    /// <summary>
    /// Applies one observation; returns the transition it caused, or null. A failure that reaches
    /// the unhealthy threshold turns the origin unhealthy only if <paramref name="confirmation"/>
    /// (when given) is upheld; otherwise the status holds. While the origin is unhealthy, a given
    /// confirmation decides the round instead of the owner's probe alone: the round counts as a
    /// success when the majority reached the origin (see <see cref="Confirmation"/>), as a failure
    /// otherwise, and the healthy threshold counts such rounds.
    /// </summary>
    public HealthTransition? Apply(Observation o, Confirmation? confirmation = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (_newestAt is { } newest && o.At < newest) return null; // out of order: see remarks
        _newestAt = o.At;
        _observations.Add(o);

        var from = _view.Status;
        var recovery = from == HealthStatus.Unhealthy ? confirmation : null;
        var success = recovery?.Reachable ?? o.Success;
        var successes = success ? Saturating(_view.ConsecutiveSuccesses) : 0;
        var failures = success ? 0 : Saturating(_view.ConsecutiveFailures);
        var (to, reason) = Judge(o, success, from, successes, failures);
        var error = o.Success ? null : o.Error;
        var confirmedBy = to == HealthStatus.Unhealthy ? _view.ConfirmedBy : null;
        if (confirmation is { Unanswered: true } && to != from && (recovery is not null || to == HealthStatus.Unhealthy))
        {
            // The counters go on, so the next round asks again; the status waits for a vote.
            to = from;
            error = o.Success ? "recovery not confirmed: no confirmer answered" : $"{o.Error} (not confirmed: no confirmer answered)";
        }
        else if (recovery is not null)
        {
            if (success && !o.Success)
                error = $"{o.Error} (from the owner only: {string.Join(", ", recovery.SucceededAt)} reached it)";
            else if (!success && o.Success)
                error = $"recovery not confirmed: {string.Join(", ", recovery.FailedAt)} still failed";
            if (to != from) reason += $" (confirmed by {recovery.SucceededAt.Count} of {recovery.Votes} probers)";
        }
        else if (to == HealthStatus.Unhealthy && from != HealthStatus.Unhealthy && confirmation is not null)
        {
            if (confirmation.Upheld)
            {
                confirmedBy = confirmation.FailedAt;
                reason += $" (confirmed by {confirmation.FailedAt.Count} of {confirmation.Votes} probers)";
            }
            else
            {
                // One bad vantage point raises no alert: the majority still reaches the origin.
                to = from;
                error = $"{o.Error} (not confirmed: {string.Join(", ", confirmation.SucceededAt)} reached it)";
            }
        }

        _view = _view with
        {
            Status = to,
            ConfirmedBy = confirmedBy,
            Since = to == from ? _view.Since : o.At,
            LastProbeAt = o.At,
            LastLatencyMs = o.LatencyMs,
            LastStatusCode = o.StatusCode,
            LastError = error,
            ConsecutiveSuccesses = successes,
            ConsecutiveFailures = failures,
        };
        if (to == from) return null;

        var transition = new HealthTransition(o.At, from, to, reason!);
        _transitions.Add(transition);
        return transition;
    }

    private (HealthStatus Status, string? Reason) Judge(Observation o, bool success, HealthStatus from, int successes, int failures)
    {
        if (!success)
        {
            if (failures < _spec.UnhealthyThreshold || from == HealthStatus.Unhealthy) return (from, null);
            var what = Count(failures, "consecutive failure", "consecutive failures");
            return (HealthStatus.Unhealthy, o.Error is null ? what : $"{what}: {o.Error}");
        }

        if (successes < _spec.HealthyThreshold) return (from, null);
        // Only the owner's own success measured a latency.
        var slow = o.Success && _spec.DegradedLatencyMs is { } limit && o.LatencyMs > limit;
        var to = slow ? HealthStatus.Degraded : HealthStatus.Healthy;
        if (to == from) return (from, null);

        // Between healthy and degraded only latency changed; coming up, the run of successes is the news.
        if (from is HealthStatus.Healthy or HealthStatus.Degraded) return (to, LatencyReason(o.LatencyMs, slow));
        var run = Count(successes, "consecutive success", "consecutive successes");
        return (to, slow ? $"{run}, {LatencyReason(o.LatencyMs, slow)}" : run);
    }

    private string LatencyReason(double latencyMs, bool slow)
    {
        var ms = latencyMs.ToString("0", CultureInfo.InvariantCulture);
        return _spec.DegradedLatencyMs is { } limit
            ? $"latency {ms} ms {(slow ? "above" : "within")} {limit} ms"
            : $"latency {ms} ms, no degraded limit";
    }

    private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";

    // An origin probed for years must not wrap into a negative count.
    private static int Saturating(int n) => n == int.MaxValue ? n : n + 1;

    /// <summary>
    /// A bounded buffer that drops its oldest item, with a cached snapshot for readers. It grows as
    /// items come: an eager array of the full capacity would cost every origin ~9 KB at creation.
    /// </summary>
    private sealed class Ring<T>(int capacity)
    {
        private T[] _items = [];
        private int _start;
        private int _count;
        private T[]? _snapshot = [];

        public void Add(T item)
        {
            if (_count < capacity)
            {
                // Not full yet, so nothing has wrapped (_start is 0): grow by doubling up to the capacity.
                if (_count == _items.Length) Array.Resize(ref _items, Math.Min(capacity, Math.Max(4, 2 * _items.Length)));
                _items[_count++] = item;
            }
            else
            {
                _items[_start] = item;
                _start = (_start + 1) % _items.Length;
            }
            _snapshot = null;
        }

        // An array, not a live view: readers (and Orleans, which serialises it after the turn) see a stable copy.
        public T[] Snapshot()
        {
            if (_snapshot is not null) return _snapshot;
            var copy = new T[_count];
            for (var i = 0; i < _count; i++) copy[i] = _items[(_start + i) % _items.Length];
            return _snapshot = copy;
        }
    }
}
