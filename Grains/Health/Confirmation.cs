namespace Heck.Grains.Health;

/// <summary>
/// The votes of an origin's owner and its confirmers on one probe round. A strict majority of all
/// who voted decides; a tie goes against the owner's own probe, so the owner's vantage point alone
/// never decides: a failure the others do not see raises no alert, a lucky success the others do
/// not see does not end one, and an owner whose own path is broken does not hold a recovered origin
/// down. A confirmer that could not be asked does not vote.
/// </summary>
/// <param name="OwnerSucceeded">Whether the owner's own probe succeeded (its vote is in <paramref name="SucceededAt"/>
/// or <paramref name="FailedAt"/> accordingly).</param>
public sealed record Confirmation(IReadOnlyList<string> FailedAt, IReadOnlyList<string> SucceededAt, bool OwnerSucceeded = false)
{
    public int Votes => FailedAt.Count + SucceededAt.Count;

    /// <summary>Whether the round says the origin is reachable (see the type's remarks for ties).</summary>
    public bool Reachable =>
        SucceededAt.Count > FailedAt.Count || (SucceededAt.Count == FailedAt.Count && !OwnerSucceeded);

    /// <summary>Whether the round upholds a failure: the origin is not <see cref="Reachable"/>.</summary>
    public bool Upheld => !Reachable;
}
