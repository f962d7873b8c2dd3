using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Heck.Benchmarks.Harness;

/// <summary>
/// N silo processes on loopback joined by SWIM through the first one (the seed), each with its
/// own ports and data folder; disposing stops every process it started.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<TempDirectory> _data = [];
    private readonly int _seedSwim = FreePort.Next();
    private readonly string[] _extraArgs;

    public List<SiloProcess> Silos { get; } = [];

    private LocalCluster(string[] extraArgs) => _extraArgs = extraArgs;

    public static async Task<LocalCluster> StartAsync(int silos, CancellationToken ct, params string[] extraArgs)
    {
        var cluster = new LocalCluster(extraArgs);
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

    public async Task<SiloProcess> StartSiloAsync(bool seed = false)
    {
        var dir = new TempDirectory();
        _data.Add(dir);
        var args = new List<string>
        {
            $"--Heck:Storage:Path={dir.Path}", $"--Heck:Silo:Port={FreePort.Next()}", $"--Heck:Silo:GatewayPort={FreePort.Next()}",
            $"--Heck:Swim:Port={(seed ? _seedSwim : FreePort.Next())}",
        };
        if (!seed) args.Add($"--Heck:Swim:Seeds:0=127.0.0.1:{_seedSwim}");
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

    public static async Task<string> StatusOfAsync(SiloProcess observer, (string Address, int Generation) member)
    {
        var members = (await observer.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
        foreach (var m in members.EnumerateArray())
            if (m.GetProperty("address").GetString() == member.Address && m.GetProperty("generation").GetInt32() == member.Generation)
                return m.GetProperty("status").GetString()!;
        return "absent";
    }

    private static async Task<int> AliveAsync(SiloProcess silo)
    {
        try
        {
            var members = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
            return members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "alive");
        }
        catch (HttpRequestException) { return 0; }
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
