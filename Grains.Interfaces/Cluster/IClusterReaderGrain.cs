namespace Heck.Cluster;

/// <summary>
/// The cluster membership as the silo that receives the call sees it. A stateless worker, so a
/// client's call is answered by its own gateway. Use key 0.
/// </summary>
[Alias("heck.IClusterReaderGrain")]
public interface IClusterReaderGrain : IGrainWithIntegerKey
{
    [Alias("Members")]
    Task<IReadOnlyList<ClusterMember>> Members();
}
