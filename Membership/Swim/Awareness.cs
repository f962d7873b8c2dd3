namespace Heck.Membership.Swim;

/// <summary>
/// Lifeguard local health: a score that rises when this node seems to be the slow one (missed nacks,
/// failed probes, having to refute) and falls on every successful probe. Timeouts are multiplied by
/// score + 1 so a struggling node stops accusing healthy peers.
/// </summary>
internal sealed class Awareness(int maxMultiplier)
{
    public int Score { get; private set; }

    public void Apply(int delta) => Score = Math.Clamp(Score + delta, 0, maxMultiplier - 1);

    public TimeSpan Scale(TimeSpan timeout) => timeout * (Score + 1);
}
