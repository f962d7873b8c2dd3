using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Heck.Harness;

/// <summary>Who decides membership in a <see cref="LocalCluster"/>.</summary>
public enum ClusterMembership
{
    /// <summary>Heck's SWIM: every silo joins through the first one (the seed).</summary>
    Swim,
    /// <summary>Orleans' table protocol on PostgreSQL (<c>Heck:Membership:Provider=AdoNet</c>), Orleans' default liveness settings.</summary>
    AdoNet,
}

/// <summary>
/// N silo processes on loopback, each with its own ports and data folder, joined either by SWIM
/// through the first one (the seed) or through an ADO.NET membership table in PostgreSQL under a
/// cluster id of their own; disposing stops every process it started.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<TempDirectory> _data = [];
    private readonly int _seedSwim = FreePort.Next();
    private readonly string[] _extraArgs;
    private readonly string? _connectionString;

    public List<SiloProcess> Silos { get; } = [];
    public ClusterMembership Membership { get; }

    /// <summary>The Orleans cluster id of an ADO.NET cluster: fresh per cluster, so clusters sharing a database never mix.</summary>
    public string ClusterId { get; } = "bench-" + Guid.NewGuid().ToString("N")[..12];

    private LocalCluster(ClusterMembership membership, string? connectionString, string[] extraArgs)
    {
        Membership = membership;
        _connectionString = connectionString;
        _extraArgs = extraArgs;
    }

    /// <summary>A cluster joined by SWIM.</summary>
    public static Task<LocalCluster> StartAsync(int silos, CancellationToken ct, params string[] extraArgs) =>
        StartAsync(new LocalCluster(ClusterMembership.Swim, null, extraArgs), silos, ct);

    /// <summary>
    /// A cluster on ADO.NET membership: the database behind <paramref name="connectionString"/>
    /// must already have the schema (see <see cref="ApplySchemaAsync"/>).
    /// </summary>
    public static Task<LocalCluster> StartAdoNetAsync(int silos, string connectionString, CancellationToken ct, params string[] extraArgs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return StartAsync(new LocalCluster(ClusterMembership.AdoNet, connectionString, extraArgs), silos, ct);
    }

    private static async Task<LocalCluster> StartAsync(LocalCluster cluster, int silos, CancellationToken ct)
    {
        try
        {
            cluster.Silos.Add(await cluster.StartSiloAsync(seed: true));
            for (var i = 1; i < silos; i++) cluster.Silos.Add(await cluster.StartSiloAsync(seed: false));
            await cluster.WaitAllAliveAsync(ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Installs the ADO.NET membership schema with the silo's own <c>apply-schema</c> command.</summary>
    public static async Task ApplySchemaAsync(string connectionString)
    {
        var (code, output) = await SiloProcess.RunToExitAsync(
            ["apply-schema", $"--Heck:AdoNet:ConnectionString={connectionString}"], TimeSpan.FromSeconds(120));
        if (code != 0) throw new InvalidOperationException($"silo apply-schema failed (exit {code}): {output.Trim()}");
    }

    /// <summary>Starts one more silo of this cluster (not yet in <see cref="Silos"/>); <paramref name="seed"/> matters only to SWIM.</summary>
    public async Task<SiloProcess> StartSiloAsync(bool seed = false)
    {
        var dir = new TempDirectory();
        _data.Add(dir);
        var args = new List<string>
        {
            $"--Heck:Storage:Path={dir.Path}", $"--Heck:Silo:Port={FreePort.Next()}", $"--Heck:Silo:GatewayPort={FreePort.Next()}",
        };
        switch (Membership)
        {
            case ClusterMembership.AdoNet:
                args.Add("--Heck:Membership:Provider=AdoNet");
                args.Add($"--Heck:Cluster:Id={ClusterId}");
                args.Add($"--Heck:AdoNet:ConnectionString={_connectionString}");
                break;
            default:
                args.Add($"--Heck:Swim:Port={(seed ? _seedSwim : FreePort.Next())}");
                if (!seed) args.Add($"--Heck:Swim:Seeds:0=127.0.0.1:{_seedSwim}");
                break;
        }
        args.AddRange(_extraArgs);
        return await SiloProcess.StartAsync(FreePort.Next(), args);
    }

    /// <summary>Replaces silo <paramref name="index"/> (already stopped) with a fresh process and waits until all see it.</summary>
    public async Task ReplaceAsync(int index, CancellationToken ct)
    {
        await Silos[index].DisposeAsync();
        Silos[index] = await StartSiloAsync();
        await WaitAllAliveAsync(ct);
    }

    public Task WaitAllAliveAsync(CancellationToken ct) =>
        WaitAsync(async () => (await Task.WhenAll(Silos.Select(AliveAsync))).All(n => n == Silos.Count), TimeSpan.FromSeconds(60), "every silo sees every silo alive", ct);

    public static async Task<(string Address, int Generation)> SelfAsync(SiloProcess silo)
    {
        var self = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("self");
        return (self.GetProperty("address").GetString()!, self.GetProperty("generation").GetInt32());
    }

    /// <summary>
    /// <paramref name="member"/>'s status as <paramref name="observer"/> sees it, in Heck's words
    /// (<c>alive</c>, <c>suspect</c>, <c>dead</c>, …) whichever the provider (on ADO.NET the silo
    /// translates Orleans' table status); <c>absent</c> when the observer does not list it.
    /// </summary>
    public static async Task<string> StatusOfAsync(SiloProcess observer, (string Address, int Generation) member)
    {
        var members = (await observer.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
        foreach (var m in members.EnumerateArray())
            if (m.GetProperty("address").GetString() == member.Address && m.GetProperty("generation").GetInt32() == member.Generation)
                return m.GetProperty("status").GetString()!;
        return "absent";
    }

    /// <summary>True when a status means dead; also accepts Orleans' own spelling (<c>Dead</c>).</summary>
    public static bool IsDead(string status) => string.Equals(status, "dead", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True once <paramref name="observer"/> lists <paramref name="member"/> as dead. A survivor that
    /// does not answer this time (its HTTP call fails or times out) has not seen it dead yet.
    /// </summary>
    public static async Task<bool> SeesDeadAsync(SiloProcess observer, (string Address, int Generation) member)
    {
        try { return IsDead(await StatusOfAsync(observer, member)); }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    /// <summary>
    /// How many members <paramref name="silo"/> lists as alive. On ADO.NET a member with death votes
    /// in the table shows as <c>suspect</c> although Orleans still treats it as Active (votes
    /// expire but stay in the row until the next vote), so there it counts too.
    /// </summary>
    private async Task<int> AliveAsync(SiloProcess silo)
    {
        try
        {
            var members = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
            return members.EnumerateArray().Count(m => m.GetProperty("status").GetString() is { } status
                && (string.Equals(status, "alive", StringComparison.OrdinalIgnoreCase)
                    || (Membership == ClusterMembership.AdoNet && string.Equals(status, "suspect", StringComparison.OrdinalIgnoreCase))));
        }
        catch (HttpRequestException) { return 0; }
        catch (TaskCanceledException) { return 0; }
    }

    public static async Task WaitAsync(Func<Task<bool>> done, TimeSpan within, string what, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > within) throw new TimeoutException($"not reached within {within.TotalSeconds} s: {what}");
            await Task.Delay(20, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in Silos) await s.DisposeAsync();
        foreach (var d in _data) d.Dispose();
    }
}
