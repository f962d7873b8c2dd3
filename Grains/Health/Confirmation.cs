namespace Heck.Grains.Health;

/// <summary>
/// The votes of an origin's owner and its confirmers on one probe round. A strict majority of all
/// who voted decides; a tie goes against the owner's own probe, so the owner's vantage point alone
/// never decides: a failure the others do not see raises no alert, a lucky success the others do
/// not see does not end one, and an owner whose own path is broken does not hold a recovered origin
/// down. A confirmer that could not be asked does not vote; when confirmers were asked and none
/// answered (<paramref name="Asked"/> &gt; 0, only the owner's vote), the round decides nothing and the
/// status holds: the owner alone must not decide because its confirmers are slow or gone. Membership
/// drops a dead confirmer within its detection time, and the next round asks the next silo.
/// </summary>
/// <param name="OwnerSucceeded">Whether the owner's own probe succeeded (its vote is in <paramref name="SucceededAt"/>
/// or <paramref name="FailedAt"/> accordingly).</param>
/// <param name="Asked">How many confirmers were asked (0: the votes alone say who voted).</param>
public sealed record Confirmation(IReadOnlyList<string> FailedAt, IReadOnlyList<string> SucceededAt, bool OwnerSucceeded = false, int Asked = 0)
{
    public int Votes => FailedAt.Count + SucceededAt.Count;

    /// <summary>Confirmers were asked and none answered: only the owner voted, so the round changes no status.</summary>
    public bool Unanswered => Asked > 0 && Votes <= 1;

    /// <summary>Whether the round says the origin is reachable (see the type's remarks for ties).</summary>
    public bool Reachable =>
        SucceededAt.Count > FailedAt.Count || (SucceededAt.Count == FailedAt.Count && !OwnerSucceeded);

    /// <summary>Whether the round upholds a failure: the origin is not <see cref="Reachable"/>.</summary>
    public bool Upheld => !Reachable;
}
