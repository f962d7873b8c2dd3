using Heck.Membership.Swim;

namespace Heck.Membership.Wire;

/// <summary>The sizes of <see cref="SwimCodec"/>'s format (<see cref="SwimBody"/>), for the protocol core.</summary>
public sealed class WireSizes : IMessageSizes
{
    public static WireSizes Instance { get; } = new();

    private WireSizes()
    {
    }

    public int EnvelopeOverhead => SwimCodec.EnvelopeOverhead;

    public int UpdateSize(MemberUpdate update) => SwimBody.UpdateSize(update);

    public int PingBaseSize(NodeId from, NodeId target) => SwimBody.BaseSize(SwimMessageType.Ping, from, target);

    public int PingReqBaseSize(NodeId from, NodeId target) => SwimBody.BaseSize(SwimMessageType.PingReq, from, target);

    public int AckBaseSize(NodeId from) => SwimBody.BaseSize(SwimMessageType.Ack, from);

    public int NackBaseSize(NodeId from) => SwimBody.BaseSize(SwimMessageType.Nack, from);

    public int GossipBaseSize(NodeId from) => SwimBody.BaseSize(SwimMessageType.Gossip, from);
}
