namespace Heck.Grains.Health;

/// <summary>
/// The verdict of an origin's owner and its confirmers on a failure: upheld when a majority of
/// all who voted saw the origin failing. A confirmer that could not be asked does not vote.
/// </summary>
public sealed record Confirmation(IReadOnlyList<string> FailedAt, IReadOnlyList<string> SucceededAt)
{
    public int Votes => FailedAt.Count + SucceededAt.Count;

    public bool Upheld => FailedAt.Count * 2 > Votes;
}
