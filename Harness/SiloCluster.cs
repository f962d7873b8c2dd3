using System.Net.Http.Json;
using System.Text.Json;

namespace Heck.Harness;

/// <summary>
/// Silo processes joined by SWIM through the first one (the seed), each with fixed ports and data folder so a node
/// can be restarted as itself (<see cref="NodeCluster"/> says what every process cluster shares).
/// </summary>
public sealed class SiloCluster : NodeCluster
{
    private SiloCluster(int silos, LoopbackNetwork? network, IEnumerable<string> extraArgs) : base(silos, network, extraArgs)
    {
    }

    /// <summary>
    /// Starts node 0, then the others joining through it: one after the other, or (<paramref name="together"/>) all at
    /// once. Returns once every node serves HTTP; call <see cref="WaitConvergedAsync"/> to wait for one view.
    /// </summary>
    public static async Task<SiloCluster> StartAsync(int silos, LoopbackNetwork? network, bool together = false, params string[] extraArgs)
    {
        var cluster = new SiloCluster(silos, network, extraArgs);
        try
        {
            await cluster.StartNodeAsync(cluster.Nodes[0], []);
            var joiners = cluster.Nodes.Skip(1).ToList();
            if (together)
            {
                foreach (var node in joiners) cluster.Launch(node, [cluster.Nodes[0]]);
                foreach (var node in joiners) await node.Process.WaitServingAsync(TimeSpan.FromSeconds(120));
            }
            else
            {
                foreach (var node in joiners) await cluster.StartNodeAsync(node, [cluster.Nodes[0]]);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a new process of <paramref name="node"/> (whose last one has exited) joining through <paramref name="seeds"/>; waits until it serves.</summary>
    public async Task<SiloProcess> StartNodeAsync(ClusterNode node, IEnumerable<ClusterNode> seeds, TimeSpan? within = null)
    {
        var process = Launch(node, seeds);
        await process.WaitServingAsync(within ?? TimeSpan.FromSeconds(60));
        return process;
    }

    /// <summary>Starts a new process of <paramref name="node"/> without waiting for it to serve.</summary>
    public SiloProcess Launch(ClusterNode node, IEnumerable<ClusterNode> seeds)
    {
        if (node.Process is { } old)
        {
            if (!old.HasExited) throw new InvalidOperationException($"{node} is still running; stop it first");
            node.PastOutput.Add(old.Output);
            _ = old.DisposeAsync(); // it has exited: this only releases its HTTP client
        }
        var args = node.Arguments(seeds, ExtraArgs);
        node.Process = SiloProcess.Launch(node.HttpPort, args, node.Host);
        return node.Process;
    }

    /// <summary>One member of a silo's view.</summary>
    public sealed record Member(string Address, int Generation, string Status);

    /// <summary>A silo's <c>/api/cluster/members</c>: who answered and what it sees; null when it does not answer.</summary>
    public static async Task<(Member Self, List<Member> Members)?> ViewAsync(SiloProcess silo, CancellationToken ct = default)
    {
        try
        {
            var body = await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members", ct);
            var self = body.GetProperty("self");
            var members = body.GetProperty("members").EnumerateArray()
                .Select(m => new Member(m.GetProperty("address").GetString()!, m.GetProperty("generation").GetInt32(), m.GetProperty("status").GetString()!))
                .ToList();
            return (new Member(self.GetProperty("address").GetString()!, self.GetProperty("generation").GetInt32(), "self"), members);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or ObjectDisposedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// True when every node answers, lists the others' current generations and its own as alive, and nothing else
    /// alive: one cluster of all nodes.
    /// </summary>
    public async Task<bool> ConvergedAsync(IReadOnlyCollection<ClusterNode>? nodes = null)
    {
        nodes ??= Nodes;
        var views = await Task.WhenAll(nodes.Select(n => ViewAsync(n.Process)));
        if (views.Any(v => v is null)) return false;
        var selves = views.Select(v => (v!.Value.Self.Address, v.Value.Self.Generation)).ToHashSet();
        var all = nodes.Count == Nodes.Count;
        return views.All(v =>
        {
            var alive = v!.Value.Members.Where(m => m.Status == "alive").Select(m => (m.Address, m.Generation)).ToHashSet();
            return all ? alive.SetEquals(selves) : alive.IsSupersetOf(selves);
        });
    }

    /// <summary>Waits (bounded) until <see cref="ConvergedAsync"/>; the timeout names every node's view.</summary>
    public async Task WaitConvergedAsync(TimeSpan within, IReadOnlyCollection<ClusterNode>? nodes = null, string? what = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await ConvergedAsync(nodes))
        {
            if (clock.Elapsed > within) throw new TimeoutException($"not reached within {within.TotalSeconds} s: {what ?? "one cluster of every node"}\n{await DescribeAsync()}");
            await Task.Delay(200);
        }
    }

    /// <summary>Every node's view, one line each (for failure messages).</summary>
    public async Task<string> DescribeAsync()
    {
        var lines = new List<string>();
        foreach (var node in Nodes)
        {
            var view = node.Process is null ? null : await ViewAsync(node.Process);
            var state = node.Process is null ? "not started" : node.Process.HasExited ? $"exited ({node.Process.ExitCode})" : "running";
            lines.Add(view is { } v
                ? $"{node} [{state}] self {v.Self.Address}@{v.Self.Generation}: {string.Join(", ", v.Members.Select(m => $"{m.Address}@{m.Generation} {m.Status}"))}"
                : $"{node} [{state}] no answer");
        }
        return string.Join("\n", lines);
    }

    /// <summary>The last <paramref name="chars"/> characters of every node's output (for failure messages).</summary>
    public string Logs(int chars = 6000) => string.Join("\n", Nodes.Where(n => n.Process is not null).Select(n =>
    {
        var text = n.Process.Output;
        return $"--- {n} ---\n{(text.Length <= chars ? text : text[^chars..])}";
    }));
}
