namespace Heck.Health;

/// <summary>
/// When a read must stop trusting an origin's last verdict. Pure: the caller passes "now". A
/// verdict whose freshest observation is older than <see cref="Bound"/> reads as
/// <see cref="HealthStatus.Unknown"/> with <see cref="HealthView.Stale"/> set: its owner has stopped
/// probing (crashed, hung, cut off) or its writes stopped reaching this silo, and the last status
/// says nothing about now. An origin never observed stays unknown and is not stale.
/// </summary>
public static class Staleness
{
    /// <summary>Slack beyond one interval for a slow probe, confirmations and gossip.</summary>
    public const int SlackMs = 5000;

    /// <summary>max(3 × interval, interval + 5 s): three missed probes, and never less than one probe plus slack.</summary>
    public static TimeSpan Bound(int intervalMs) =>
        TimeSpan.FromMilliseconds(Math.Max(3L * intervalMs, intervalMs + (long)SlackMs));

    /// <summary>Whether an observation <paramref name="age"/> old is too old for an origin probed every <paramref name="intervalMs"/>.</summary>
    public static bool IsStale(TimeSpan age, int intervalMs) => age > Bound(intervalMs);

    /// <summary>The view as a read at <paramref name="now"/> must show it: with its age, and unknown when stale.</summary>
    public static OriginView Judge(OriginView view, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        if ((view.ObservedAt ?? view.Health.LastProbeAt) is not { } observedAt) return view; // never observed
        // A writer whose clock runs ahead of ours makes a negative age: it is fresh.
        var age = now - observedAt;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        var stale = IsStale(age, view.Spec.IntervalMs);
        var health = view.Health with
        {
            AgeMs = (long)age.TotalMilliseconds,
            Stale = stale,
            Status = stale ? HealthStatus.Unknown : view.Health.Status,
        };
        return view with { Health = health };
    }
}
