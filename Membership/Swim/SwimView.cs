namespace Heck.Membership.Swim;

public sealed record MemberInfo(NodeId Node, uint Incarnation, MemberStatus Status, Metadata Metadata);

/// <summary>
/// An immutable snapshot of the local view: every live generation, and dead and left ones as tombstones (so views
/// merge as a join-semilattice) until <see cref="SwimSettings.DeadRetention"/> after they became final; and a
/// version that only rises on this node.
/// </summary>
public sealed class SwimView
{
    private readonly Dictionary<NodeId, MemberInfo> _byId;

    internal SwimView(long version, NodeId self, MemberInfo[] members)
    {
        Version = version;
        Self = self;
        Members = members;
        _byId = new Dictionary<NodeId, MemberInfo>(members.Length);
        foreach (var m in members) _byId[m.Node] = m;
    }

    public long Version { get; }
    public NodeId Self { get; }
    /// <summary>Sorted by host, port, generation.</summary>
    public IReadOnlyList<MemberInfo> Members { get; }

    public MemberInfo? Find(NodeId node) => _byId.GetValueOrDefault(node);

    public MemberStatus? StatusOf(NodeId node) => _byId.TryGetValue(node, out var m) ? m.Status : null;

    /// <summary>Members that are alive or suspected (not dead, not left).</summary>
    public IEnumerable<MemberInfo> Live => Members.Where(m => !m.Status.IsFinal());
}
