namespace Heck.Harness;

/// <summary>
/// One node of a process cluster (<see cref="SiloCluster"/>, <see cref="RestartableCluster"/>): address, fixed ports
/// and data folder, so that a restart is a new generation of the same node; <see cref="Process"/> is its current
/// (or last) generation.
/// </summary>
public sealed class ClusterNode(int index, LoopbackHost? host = null)
{
    public int Index { get; } = index;
    public LoopbackHost? Host { get; } = host;
    /// <summary>The address Orleans and SWIM bind and advertise.</summary>
    public string Address { get; } = host?.Address.ToString() ?? "127.0.0.1";
    public int HttpPort { get; } = FreePort.Next();
    public int SiloPort { get; } = FreePort.Next();
    public int GatewayPort { get; } = FreePort.Next();
    public int SwimPort { get; } = FreePort.Next();
    public TempDirectory Data { get; } = new();
    public SiloProcess Process { get; internal set; } = null!;
    /// <summary>The Orleans address ("ip:port") this node's generations share.</summary>
    public string SiloAddress => $"{Address}:{SiloPort}";
    public string SwimEndpoint => $"{Address}:{SwimPort}";
    /// <summary>The current generation's <c>self</c> (address, generation) from <c>/api/cluster/members</c>, where the cluster tracks it.</summary>
    public (string Address, int Generation) Self { get; internal set; }
    /// <summary>Processes started for this node so far.</summary>
    public int Starts { get; internal set; }
    /// <summary>Generations the silo started by itself (declared dead, rejoined in-process) so far.</summary>
    public int Rejoins { get; internal set; }
    /// <summary>True between disposing a generation for a restart and the next one serving (its <see cref="Process"/> is then disposed).</summary>
    public bool Down { get; internal set; }
    /// <summary>Log output of the generations before the current one, oldest first.</summary>
    public List<string> PastOutput { get; } = [];
    internal Lock Gate { get; } = new();

    /// <summary>The silo's command line: this node's ports, address and data, joining through <paramref name="seeds"/>, then <paramref name="extra"/>.</summary>
    internal List<string> Arguments(IEnumerable<ClusterNode> seeds, IEnumerable<string> extra)
    {
        var args = new List<string>
        {
            $"--Heck:Storage:Path={Data.Path}", $"--Heck:Silo:Port={SiloPort}", $"--Heck:Silo:GatewayPort={GatewayPort}",
            $"--Heck:Silo:AdvertisedAddress={Address}", $"--Heck:Swim:Port={SwimPort}", $"--Heck:Silo:Name=node{Index}",
        };
        var i = 0;
        foreach (var seed in seeds.Where(s => s != this)) args.Add($"--Heck:Swim:Seeds:{i++}={seed.SwimEndpoint}");
        args.AddRange(extra);
        return args;
    }

    public override string ToString() => $"node{Index} ({SiloAddress})";
}
