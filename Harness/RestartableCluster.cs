using System.Net.Http.Json;
using System.Text.Json;

namespace Heck.Harness;

/// <summary>
/// N SWIM silos on loopback whose nodes keep their ports and data folder across restarts: a
/// restart is a new generation of the same node (as under a process supervisor), and it joins
/// through whichever other nodes the caller names as up, so every node, the first one (the
/// original seed) too, can be killed and restarted without starting a second cluster.
/// A silo declared dead rejoins in-process as a new generation: <see cref="RefreshSelfAsync"/> notices it.
/// </summary>
public sealed class RestartableCluster : NodeCluster
{
    private RestartableCluster(int silos, LoopbackNetwork? network, IEnumerable<string> extraArgs) : base(silos, network, extraArgs)
    {
    }

    /// <summary>Called when a node's generation changed without a restart by the harness (old self, new self).</summary>
    public event Action<ClusterNode, (string Address, int Generation), (string Address, int Generation)>? Rejoined;

    /// <summary>Starts node 0 as a new cluster, the others joining through it, and waits until all see all alive.</summary>
    public static async Task<RestartableCluster> StartAsync(int silos, IEnumerable<string> extraArgs, CancellationToken ct, LoopbackNetwork? network = null)
    {
        var cluster = new RestartableCluster(silos, network, extraArgs);
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
    public async Task<SiloProcess> RestartAsync(ClusterNode node, IEnumerable<ClusterNode> seeds)
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

    private async Task<SiloProcess> LaunchAsync(ClusterNode node, IReadOnlyList<ClusterNode> seeds)
    {
        var args = node.Arguments(seeds, ExtraArgs);
        var process = await SiloProcess.StartAsync(node.HttpPort, args, host: node.Host);
        try
        {
            // A generation declared dead while it joins rejoins in-process: its HTTP port closes for a moment,
            // so a running process gets 30 s (bounded polling) to serve its next generation.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    node.Self = await LocalCluster.SelfAsync(process);
                    break;
                }
                catch (HttpRequestException) when (attempt < 60 && !process.HasExited)
                {
                    await Task.Delay(500);
                }
            }
        }
        catch
        {
            node.PastOutput.Add(process.Output); // the failed generation's log goes with the report
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
    /// <paramref name="node"/>'s view: its self and the members it lists alive; null when it does not answer.
    /// A self whose generation differs from <see cref="ClusterNode.Self"/> while the same process runs is an in-process
    /// rejoin: <see cref="ClusterNode.Self"/> follows it, <see cref="ClusterNode.Rejoins"/> counts it and <see cref="Rejoined"/> is raised.
    /// </summary>
    public async Task<((string Address, int Generation) Self, HashSet<(string Address, int Generation)> Alive)?> ViewAsync(ClusterNode node, CancellationToken ct = default)
    {
        if (node.Down) return null;
        var process = node.Process;
        try
        {
            var body = await process.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members", ct);
            var s = body.GetProperty("self");
            var self = (s.GetProperty("address").GetString()!, s.GetProperty("generation").GetInt32());
            var alive = body.GetProperty("members").EnumerateArray()
                .Where(m => m.GetProperty("status").GetString() == "alive")
                .Select(m => (m.GetProperty("address").GetString()!, m.GetProperty("generation").GetInt32()))
                .ToHashSet();
            NoteSelf(node, process, self);
            return (self, alive);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or ObjectDisposedException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Re-reads <paramref name="node"/>'s current generation from its own API (see <see cref="ViewAsync"/>): a silo the
    /// cluster declared dead rejoins as a new generation inside the same process, so its <see cref="ClusterNode.Self"/> changes
    /// without a restart. True when it answered and its generation changed.
    /// </summary>
    public async Task<bool> RefreshSelfAsync(ClusterNode node, CancellationToken ct = default)
    {
        var before = node.Self;
        return await ViewAsync(node, ct) is not null && node.Self != before;
    }

    private void NoteSelf(ClusterNode node, SiloProcess process, (string Address, int Generation) self)
    {
        (string, int) old;
        lock (node.Gate)
        {
            // Only the generation a newer process started by the harness replaces counts as a restart.
            if (node.Process != process || node.Down || self.Generation <= node.Self.Generation) return;
            old = node.Self;
            node.Self = self;
            node.Rejoins++;
        }
        Rejoined?.Invoke(node, old, self);
    }

    /// <summary>
    /// True when every one of <paramref name="nodes"/> answers and lists exactly the current generations of
    /// <paramref name="nodes"/> (their own selves) as alive (and, when they are all the nodes, nothing else).
    /// </summary>
    public async Task<bool> ConvergedAsync(IReadOnlyCollection<ClusterNode> nodes)
    {
        var views = await Task.WhenAll(nodes.Select(n => ViewAsync(n)));
        if (views.Any(v => v is null)) return false;
        var expected = views.Select(v => v!.Value.Self).ToHashSet();
        var all = nodes.Count == Nodes.Count;
        return views.All(v => all ? v!.Value.Alive.SetEquals(expected) : v!.Value.Alive.IsSupersetOf(expected));
    }

    /// <summary>How many different member sets the answering nodes list alive (1: one cluster); 0 when none answers.</summary>
    public async Task<int> ClustersAsync()
    {
        var views = await Task.WhenAll(Nodes.Select(n => ViewAsync(n)));
        return views.OfType<((string, int) Self, HashSet<(string, int)> Alive)>()
            .Select(v => string.Join(",", v.Alive.Order()))
            .Distinct().Count();
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
}
