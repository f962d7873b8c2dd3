using Heck.Membership.Swim;

namespace Heck.Membership.Wire;

/// <summary>The sizes of <see cref="SwimCodec"/>'s format, for the protocol core.</summary>
public sealed class WireSizes : IMessageSizes
{
    public static WireSizes Instance { get; } = new();

    private WireSizes()
    {
    }

    public int EnvelopeOverhead => SwimCodec.EnvelopeOverhead;

    public int UpdateSize(MemberUpdate update) => SwimCodec.UpdateSize(update);

    public int PingBaseSize(NodeId from, NodeId target) => SwimCodec.BaseSize(SwimMessageType.Ping, from, target);

    public int PingReqBaseSize(NodeId from, NodeId target) => SwimCodec.BaseSize(SwimMessageType.PingReq, from, target);

    public int AckBaseSize(NodeId from) => SwimCodec.BaseSize(SwimMessageType.Ack, from);

    public int NackBaseSize(NodeId from) => SwimCodec.BaseSize(SwimMessageType.Nack, from);

    public int GossipBaseSize(NodeId from) => SwimCodec.BaseSize(SwimMessageType.Gossip, from);
}
