namespace Heck.Membership.Swim;

/// <summary>
/// One suspicion of a member at one incarnation: who independently suspects it, and its timeout, which
/// starts at <see cref="Max"/> and shrinks toward <see cref="Min"/> logarithmically as confirmations
/// arrive (Lifeguard; memberlist's remainingSuspicionTime shape).
/// </summary>
internal sealed class Suspicion
{
    private readonly HashSet<NodeId> _confirmers = [];

    public Suspicion(uint incarnation, NodeId first, TimeSpan start, TimeSpan min, TimeSpan max, int expectedConfirmations)
    {
        Incarnation = incarnation;
        Start = start;
        Min = min;
        Max = max;
        K = expectedConfirmations;
        _confirmers.Add(first);
    }

    public uint Incarnation { get; }
    public TimeSpan Start { get; }
    public TimeSpan Min { get; }
    public TimeSpan Max { get; }
    /// <summary>Confirmations (besides the first suspecter) after which the timeout is at its floor.</summary>
    public int K { get; }
    public int Count => _confirmers.Count;
    public IReadOnlyCollection<NodeId> Confirmers => _confirmers;

    public bool Confirm(NodeId by) => _confirmers.Add(by);

    public bool Contains(NodeId node) => _confirmers.Contains(node);

    public TimeSpan Timeout => Compute(_confirmers.Count - 1, K, Min, Max);

    /// <summary>
    /// The timeout when only <paramref name="possibleConfirmers"/> members could still confirm: waiting for
    /// confirmations that nobody is in a position to send only delays a cut-off member's verdicts on the far side.
    /// </summary>
    public TimeSpan TimeoutGiven(int possibleConfirmers) =>
        Compute(_confirmers.Count - 1, Math.Min(K, Math.Max(0, possibleConfirmers)), Min, Max);

    public static TimeSpan Compute(int confirmations, int k, TimeSpan min, TimeSpan max)
    {
        if (k < 1) return min;
        var fraction = Math.Log(confirmations + 1.0) / Math.Log(k + 1.0);
        var raw = max - (max - min) * Math.Min(1.0, fraction);
        return raw < min ? min : raw;
    }
}
