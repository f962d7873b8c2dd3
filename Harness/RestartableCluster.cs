using System.Net.Http.Json;
using System.Text.Json;

namespace Heck.Harness;

/// <summary>
/// N SWIM silos on loopback whose nodes keep their ports and data folder across restarts: a
/// restart is a new generation of the same node (as under a process supervisor), and it joins
/// through whichever other nodes the caller names as up, so every node, the first one (the
/// original seed) too, can be killed and restarted without starting a second cluster. Disposing
/// stops every process it started.
/// </summary>
public sealed class RestartableCluster : IAsyncDisposable
{
    private readonly string[] _extraArgs;

    private RestartableCluster(int silos, IEnumerable<string> extraArgs)
    {
        Nodes = Enumerable.Range(0, silos).Select(i => new Node(i)).ToList();
        _extraArgs = [.. extraArgs];
    }

    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>One node: fixed ports and data folder; <see cref="Process"/> is its current (or last) generation.</summary>
    public sealed class Node(int index)
    {
        public int Index { get; } = index;
        public int HttpPort { get; } = FreePort.Next();
        public int SiloPort { get; } = FreePort.Next();
        public int GatewayPort { get; } = FreePort.Next();
        public int SwimPort { get; } = FreePort.Next();
        public TempDirectory Data { get; } = new();
        public SiloProcess Process { get; internal set; } = null!;
        /// <summary>The current generation's <c>self</c> (address, generation) from <c>/api/cluster/members</c>.</summary>
        public (string Address, int Generation) Self { get; internal set; }
        /// <summary>Processes started for this node so far.</summary>
        public int Starts { get; internal set; }
        /// <summary>True between disposing a generation for a restart and the next one serving (its <see cref="Process"/> is then disposed).</summary>
        public bool Down { get; internal set; }
        /// <summary>Log output of the generations before the current one, oldest first.</summary>
        public List<string> PastOutput { get; } = [];

        public override string ToString() => $"node{Index}";
    }

    /// <summary>Starts node 0 as a new cluster, the others joining through it, and waits until all see all alive.</summary>
    public static async Task<RestartableCluster> StartAsync(int silos, IEnumerable<string> extraArgs, CancellationToken ct)
    {
        var cluster = new RestartableCluster(silos, extraArgs);
        try
        {
            await cluster.LaunchAsync(cluster.Nodes[0], []);
            foreach (var node in cluster.Nodes.Skip(1)) await cluster.LaunchAsync(node, [cluster.Nodes[0]]);
            await WaitAsync(() => cluster.ConvergedAsync(cluster.Nodes), TimeSpan.FromSeconds(60), "every silo sees every silo alive", ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a new generation of <paramref name="node"/>, whose process must have exited (or whose
    /// last restart failed), joining through <paramref name="seeds"/> (any one that answers). Waits
    /// until it serves <c>/healthz</c>, not until the others see it.
    /// </summary>
    public async Task<SiloProcess> RestartAsync(Node node, IEnumerable<Node> seeds)
    {
        if (!node.Down)
        {
            if (!node.Process.HasExited) throw new InvalidOperationException($"{node} is still running; stop it first");
            node.PastOutput.Add(node.Process.Output);
            node.Down = true;
            await node.Process.DisposeAsync();
        }
        return await LaunchAsync(node, seeds.Where(s => s != node).ToList());
    }

    /// <summary>
    /// Re-reads <paramref name="node"/>'s current generation from its own API: a silo the cluster declared dead
    /// rejoins as a new generation inside the same process, so its <see cref="Node.Self"/> changes without a restart.
    /// True when it answered and its generation changed.
    /// </summary>
    public static async Task<bool> RefreshSelfAsync(Node node)
    {
        try
        {
            var self = await LocalCluster.SelfAsync(node.Process);
            if (self == node.Self) return false;
            node.Self = self;
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return false;
        }
    }

    private async Task<SiloProcess> LaunchAsync(Node node, IReadOnlyList<Node> seeds)
    {
        var args = new List<string>
        {
            $"--Heck:Storage:Path={node.Data.Path}", $"--Heck:Silo:Port={node.SiloPort}", $"--Heck:Silo:GatewayPort={node.GatewayPort}",
            $"--Heck:Swim:Port={node.SwimPort}", $"--Heck:Silo:Name=node{node.Index}",
        };
        for (var i = 0; i < seeds.Count; i++) args.Add($"--Heck:Swim:Seeds:{i}=127.0.0.1:{seeds[i].SwimPort}");
        args.AddRange(_extraArgs);
        var process = await SiloProcess.StartAsync(node.HttpPort, args);
        try
        {
            node.Self = await LocalCluster.SelfAsync(process);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        node.Process = process;
        node.Down = false;
        node.Starts++;
        return process;
    }

    /// <summary>The members <paramref name="observer"/> lists as alive; null when it does not answer.</summary>
    public static async Task<HashSet<(string Address, int Generation)>?> AliveAsync(SiloProcess observer, CancellationToken ct = default)
    {
        try
        {
            var members = (await observer.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members", ct)).GetProperty("members");
            return members.EnumerateArray()
                .Where(m => m.GetProperty("status").GetString() == "alive")
                .Select(m => (m.GetProperty("address").GetString()!, m.GetProperty("generation").GetInt32()))
                .ToHashSet();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when every one of <paramref name="nodes"/> lists exactly the current generations of
    /// <paramref name="nodes"/> as alive (and, when they are all the nodes, nothing else).
    /// </summary>
    public async Task<bool> ConvergedAsync(IReadOnlyCollection<Node> nodes)
    {
        var expected = nodes.Select(n => n.Self).ToHashSet();
        var all = nodes.Count == Nodes.Count;
        var views = await Task.WhenAll(nodes.Select(n => AliveAsync(n.Process)));
        return views.All(v => v is not null && (all ? v.SetEquals(expected) : v.IsSupersetOf(expected)));
    }

    /// <summary>Polls <paramref name="done"/> every <paramref name="pollMs"/> until true; throws <see cref="TimeoutException"/> after <paramref name="within"/>.</summary>
    public static async Task WaitAsync(Func<Task<bool>> done, TimeSpan within, string what, CancellationToken ct, int pollMs = 100)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > within) throw new TimeoutException($"not reached within {within.TotalSeconds} s: {what}");
            await Task.Delay(pollMs, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            if (node.Process is { } p && !node.Down) await p.DisposeAsync();
        foreach (var node in Nodes) node.Data.Dispose();
    }
}
