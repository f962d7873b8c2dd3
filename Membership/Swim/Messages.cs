namespace Heck.Membership.Swim;

/// <summary>A protocol message. Every kind piggybacks membership <see cref="Updates"/>.</summary>
public abstract record SwimMessage(NodeId From)
{
    public IReadOnlyList<MemberUpdate> Updates { get; init; } = [];

    /// <summary>The sender's side when it sent this (stamped by <see cref="SwimInstance"/> on every message it sends).</summary>
    public Side Side { get; init; }
}

/// <summary>Direct probe; <paramref name="Target"/> answers <see cref="Ack"/> with the same sequence number.</summary>
public sealed record Ping(NodeId From, uint SeqNo, NodeId Target) : SwimMessage(From);

/// <summary>Asks <c>From</c>'s helper to ping <paramref name="Target"/> and relay the ack (or a nack when it times out).</summary>
public sealed record PingReq(NodeId From, uint SeqNo, NodeId Target, bool WantNack) : SwimMessage(From);

public sealed record Ack(NodeId From, uint SeqNo) : SwimMessage(From);

/// <summary>Lifeguard: "I am alive, but the target did not answer me either" — the prober was not cut off.</summary>
public sealed record Nack(NodeId From, uint SeqNo) : SwimMessage(From);

/// <summary>Updates only (the periodic gossip to a few random members, leave notices, "you are dead" replies).</summary>
public sealed record Gossip(NodeId From) : SwimMessage(From);

/// <summary>Full state exchange over TCP; <see cref="SwimMessage.Updates"/> is the sender's whole view.</summary>
public sealed record PushPull(NodeId From, bool Join, bool Reply) : SwimMessage(From);
