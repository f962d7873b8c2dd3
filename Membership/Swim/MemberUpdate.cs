namespace Heck.Membership.Swim;

/// <summary>
/// One gossiped fact: <paramref name="Node"/> is <paramref name="Status"/> at <paramref name="Incarnation"/>.
/// <paramref name="Confirmer"/> names who suspects (Suspect) or declared (Dead); each suspecter's own
/// suspicion travels as its own update so a receiver can count independent confirmations.
/// <paramref name="Metadata"/> rides on Alive updates and on every push-pull entry.
/// </summary>
public sealed record MemberUpdate(NodeId Node, uint Incarnation, MemberStatus Status, NodeId? Confirmer = null, Metadata? Metadata = null);
