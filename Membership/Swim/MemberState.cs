namespace Heck.Membership.Swim;

/// <summary>The mutable local record of one member (one generation of one endpoint).</summary>
internal sealed class MemberState(NodeId node, uint incarnation, MemberStatus status, Metadata metadata, bool hasMetadata, uint metadataIncarnation)
{
    public NodeId Node { get; } = node;
    public uint Incarnation { get; set; } = incarnation;
    public MemberStatus Status { get; set; } = status;
    public Metadata Metadata { get; set; } = metadata;
    /// <summary>Metadata is joined separately: the one from the highest incarnation that carried any wins.</summary>
    public bool HasMetadata { get; set; } = hasMetadata;
    public uint MetadataIncarnation { get; set; } = metadataIncarnation;
    public Suspicion? Suspicion { get; set; }
    /// <summary>When it became Dead or Left here (for the heal and for expiry); null while live.</summary>
    public TimeSpan? FinalAt { get; set; }
    /// <summary>When this member last sent us a message itself (not news of it through others); null: not lately.</summary>
    public TimeSpan? LastHeard { get; set; }
    /// <summary><see cref="Side.LeaderOf"/> of its endpoint, computed once.</summary>
    public ulong EndpointHash { get; } = Side.LeaderOf(node.Endpoint);

    public long Key => MemberOrder.Key(Incarnation, Status);

    /// <summary>This member's share of the view version: monotone in every field that the view shows.</summary>
    public long Weight => Key + (HasMetadata ? 1L + MetadataIncarnation : 0);

    public MemberInfo ToInfo() => new(Node, Incarnation, Status, Metadata);
}
