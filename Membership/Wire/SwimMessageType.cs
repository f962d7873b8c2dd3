namespace Heck.Membership.Wire;

/// <summary>Message type byte on the wire.</summary>
public enum SwimMessageType : byte
{
    Ping = 1,
    PingReq = 2,
    Ack = 3,
    Nack = 4,
    Gossip = 5,
    PushPull = 6,
}
