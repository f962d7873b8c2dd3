namespace Heck.Membership.Swim;

/// <summary>
/// Encoded sizes the core needs to fill a datagram with piggybacked updates. The wire format is not the
/// core's business, so the wire layer supplies them (<c>Heck.Membership.Wire.WireSizes</c>).
/// </summary>
public interface IMessageSizes
{
    /// <summary>Bytes a packet adds around a body at most (header, and encryption when on).</summary>
    int EnvelopeOverhead { get; }

    int UpdateSize(MemberUpdate update);

    /// <summary>Size of a <see cref="Ping"/> body without its updates (but with the update count).</summary>
    int PingBaseSize(NodeId from, NodeId target);

    int PingReqBaseSize(NodeId from, NodeId target);

    int AckBaseSize(NodeId from);

    int NackBaseSize(NodeId from);

    int GossipBaseSize(NodeId from);
}
