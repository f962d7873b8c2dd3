using Orleans.Runtime;

namespace Heck.Grains.Cluster;

/// <summary>The questions about cluster membership that grains and services ask, asked one way.</summary>
public static class Silos
{
    /// <summary>A silo as users and replicas name it: <c>host:siloPort</c>, without the generation.</summary>
    public static string Label(this SiloAddress silo) => $"{silo.Endpoint.Address}:{silo.Endpoint.Port}";

    /// <summary>The silos that own and probe origins: those Orleans has active.</summary>
    public static SiloAddress[] ActiveSilos(this ClusterMembershipSnapshot snapshot) =>
        snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray();

    /// <summary>The active silos other than <paramref name="self"/>: the peers a silo gossips with.</summary>
    public static List<SiloAddress> ActivePeers(this ClusterMembershipSnapshot snapshot, SiloAddress self) =>
        snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self))
            .Select(m => m.SiloAddress).ToList();

    /// <summary>Generations that membership has declared dead.</summary>
    public static IEnumerable<SiloAddress> DeadSilos(this ClusterMembershipSnapshot snapshot) =>
        snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress);
}
