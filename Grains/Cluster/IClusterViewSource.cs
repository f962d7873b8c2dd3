using ClusterMember = Heck.Cluster.ClusterMember;

namespace Heck.Grains.Cluster;

/// <summary>
/// A membership view richer than Orleans' table (e.g. SWIM's, with incarnations and left/suspect);
/// when registered, <see cref="MembershipReader"/> answers from it.
/// </summary>
public interface IClusterViewSource
{
    /// <summary>The current members, or null while the source has no view yet.</summary>
    IReadOnlyList<ClusterMember>? Current();
}
