using Heck.Cluster;
using Orleans.Runtime;
using ClusterMember = Heck.Cluster.ClusterMember;

namespace Heck.Grains.Cluster;

/// <summary>
/// The cluster membership as this silo sees it, in Heck's words: from the SWIM view when SWIM is
/// the membership provider, else from Orleans' membership table.
/// </summary>
public sealed class MembershipReader(IGrainFactory grains, IClusterViewSource? source = null)
{
    public async Task<IReadOnlyList<ClusterMember>> ReadAsync()
    {
        if (source?.Current() is { } members) return members;
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        return hosts
            .OrderBy(h => h.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal)
            .ThenBy(h => h.SiloAddress.Generation)
            .Select(h => new ClusterMember
            {
                Address = h.SiloAddress.Label(),
                Status = StatusOf(h),
                Generation = h.SiloAddress.Generation,
                Name = h.SiloName,
                Gateway = h.ProxyPort > 0 ? $"{h.SiloAddress.Endpoint.Address}:{h.ProxyPort}" : null,
            })
            .ToList();
    }

    private static string StatusOf(MembershipEntry entry) => entry.Status switch
    {
        SiloStatus.Created or SiloStatus.Joining => "joining",
        SiloStatus.Active when entry.SuspectTimes is { Count: > 0 } => "suspect",
        SiloStatus.Active => "alive",
        SiloStatus.ShuttingDown or SiloStatus.Stopping => "leaving",
        SiloStatus.Dead => "dead",
        _ => "unknown",
    };
}
