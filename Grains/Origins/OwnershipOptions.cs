namespace Heck.Grains.Origins;

/// <summary>How the <see cref="OwnershipReconciler"/> paces itself. Not user configuration: the defaults suit every cluster size we measured.</summary>
public sealed class OwnershipOptions
{
    /// <summary>
    /// A pass also runs this often when nothing signalled a change: a safety net for an activation
    /// that went away unseen. Membership changes, gossip bringing new origins and lost activations
    /// each start a pass at once.
    /// </summary>
    public TimeSpan ReconcilePeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>After a pass in which some call failed, the next pass runs this soon.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromMilliseconds(250);
}
