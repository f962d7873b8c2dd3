using Heck.Membership.Swim;

namespace Heck.Tests.Membership.Simulation;

/// <summary>The virtual network and cluster of one simulation run.</summary>
public sealed record SimOptions
{
    public int Members { get; init; } = 5;
    public SwimSettings Settings { get; init; } = new();
    /// <summary>Probability that a datagram is lost (TCP push-pull is never lost, only cut by partitions).</summary>
    public double Loss { get; init; }
    /// <summary>Probability that a delivered datagram arrives twice.</summary>
    public double Duplication { get; init; }
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromMilliseconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(20);
    /// <summary>
    /// When set, a member that learns it was declared dead rejoins this long after as the next generation of its
    /// endpoint, through the rejoin hints it was given (what the silo host does by rebuilding its Orleans host).
    /// </summary>
    public TimeSpan? RejoinAfter { get; init; }
    /// <summary>Round every message through the real codec (checks datagram sizes too). Slower.</summary>
    public bool UseCodec { get; init; }
}
