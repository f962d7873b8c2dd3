using ClusterMember = Heck.Cluster.ClusterMember;
using Heck.Grains.Cluster;
using Heck.Membership.Orleans;

namespace Heck.Silo.Cluster;

/// <summary>Serves <c>GET /api/cluster/members</c> from this silo's SWIM view.</summary>
public sealed class SwimClusterViewSource(SwimMembership swim) : IClusterViewSource
{
    public IReadOnlyList<ClusterMember>? Current()
    {
        if (swim.View is null) return null;
        return swim.Describe().Select(m => new ClusterMember
        {
            Address = m.Address,
            Status = m.Status,
            Generation = m.Generation,
            Incarnation = m.Incarnation,
            Gateway = m.Gateway,
            Name = m.Name,
        }).ToList();
    }
}
