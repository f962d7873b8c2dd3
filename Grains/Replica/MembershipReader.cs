using Heck.Cluster;
using Orleans.Runtime;
using ClusterMember = Heck.Cluster.ClusterMember;

namespace Heck.Grains.Replica;

/// <summary>
/// The cluster membership as this silo's Orleans membership table shows it, in Heck's words.
/// </summary>
public sealed class MembershipReader(IGrainFactory grains)
{
    public async Task<IReadOnlyList<ClusterMember>> ReadAsync()
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        return hosts
            .OrderBy(h => h.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal)
            .ThenBy(h => h.SiloAddress.Generation)
            .Select(h => new ClusterMember
            {
                Address = $"{h.SiloAddress.Endpoint.Address}:{h.SiloAddress.Endpoint.Port}",
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
