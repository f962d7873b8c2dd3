namespace Heck.Harness;

/// <summary>
/// What every process cluster shares: its nodes, on 127.0.0.1 or each on its own loopback address of a
/// <see cref="LoopbackNetwork"/> (Orleans and SWIM bind and advertise it; the HTTP API stays on 127.0.0.1, so a test
/// reads every side even during a partition), partitions between them, and disposal, which stops every process it
/// started, deletes the partitions' rules and the data folders.
/// </summary>
public abstract class NodeCluster : IAsyncDisposable
{
    private readonly List<LoopbackPartition> _partitions = [];

    protected NodeCluster(int silos, LoopbackNetwork? network, IEnumerable<string> extraArgs)
    {
        Network = network;
        Nodes = Enumerable.Range(0, silos).Select(i => new ClusterNode(i, network?.Hosts[i])).ToList();
        ExtraArgs = [.. extraArgs];
    }

    public LoopbackNetwork? Network { get; }
    public IReadOnlyList<ClusterNode> Nodes { get; }
    /// <summary>Arguments every process of this cluster gets after its own.</summary>
    protected string[] ExtraArgs { get; }

    /// <summary>Drops all traffic between the two sets of nodes until the partition heals (or the cluster is disposed).</summary>
    public LoopbackPartition Cut(IEnumerable<ClusterNode> side, IEnumerable<ClusterNode> other)
    {
        var network = Network ?? throw new InvalidOperationException("this cluster runs on 127.0.0.1 only; start it with a LoopbackNetwork to partition it");
        var partition = network.Cut(side.Select(n => n.Host!), other.Select(n => n.Host!));
        lock (_partitions) _partitions.Add(partition);
        return partition;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_partitions)
            foreach (var p in _partitions) p.Dispose();
        foreach (var node in Nodes)
            if (node.Process is { } p && !node.Down) await p.DisposeAsync();
        foreach (var node in Nodes) node.Data.Dispose();
        GC.SuppressFinalize(this);
    }
}
