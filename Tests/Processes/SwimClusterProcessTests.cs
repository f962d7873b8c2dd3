using System.Diagnostics;

namespace Heck.Tests.Processes;

/// <summary>
/// Silos as real processes on loopback, joined by SWIM through one seed: crash (SIGKILL), hang
/// (SIGSTOP), graceful stop and restart, seen through every survivor's <c>/api/cluster/members</c>.
/// </summary>
[Trait("Category", "Process")]
[Collection(ClusterCollection.Name)]
public sealed class SwimClusterProcessTests : IAsyncLifetime
{
    private readonly List<TempDirectory> _data = [];
    private readonly List<SiloProcess> _silos = [];
    private TargetServer _target = null!;
    private int _seedSwimPort;

    public async Task InitializeAsync()
    {
        _target = await TargetServer.StartAsync();
        _seedSwimPort = FreePort.Next();
        try
        {
            for (var i = 0; i < 3; i++) _silos.Add(await StartSiloAsync(i == 0 ? _seedSwimPort : FreePort.Next(), seed: i > 0));
            await Eventually.Until(async () => (await Task.WhenAll(_silos.Select(AliveCountAsync))).All(n => n == 3), ok => ok,
                TimeSpan.FromSeconds(30), "all three silos see three alive members");
        }
        catch
        {
            await DisposeAsync(); // xunit does not dispose a class whose initialisation failed
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos) await silo.DisposeAsync();
        await _target.DisposeAsync();
        foreach (var d in _data) d.Dispose();
    }

    private async Task<SiloProcess> StartSiloAsync(int swimPort, bool seed, int? siloPort = null, TempDirectory? data = null)
    {
        if (data is null) _data.Add(data = new TempDirectory());
        var args = new List<string>
        {
            $"--Heck:Storage:Path={data.Path}", $"--Heck:Silo:Port={siloPort ?? FreePort.Next()}",
            $"--Heck:Silo:GatewayPort={FreePort.Next()}", $"--Heck:Swim:Port={swimPort}",
            "--Heck:Gossip:IntervalMs=100",
            // Failed gossip calls are logged at debug: a failure report shows why a replica lagged.
            "--Logging:LogLevel:Heck.Grains=Debug",
        };
        if (seed) args.Add($"--Heck:Swim:Seeds:0=127.0.0.1:{_seedSwimPort}");
        return await SiloProcess.StartAsync(FreePort.Next(), args);
    }

    private static async Task<List<(string Address, int Generation, string Status)>> MembersAsync(SiloProcess silo)
    {
        var body = await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members");
        return body.GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("address").GetString()!, m.GetProperty("generation").GetInt32(), m.GetProperty("status").GetString()!))
            .ToList();
    }

    /// <summary>The origin's status as this silo's replica shows it, or "absent" before gossip brings it.</summary>
    private static async Task<string> StatusAsync(SiloProcess silo, string id)
    {
        using var response = await silo.Http.GetAsync($"/api/origins/{id}");
        if (!response.IsSuccessStatusCode) return "absent";
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("health").GetProperty("status").GetString()!;
    }

    private static async Task<int> AliveCountAsync(SiloProcess silo)
    {
        try { return (await MembersAsync(silo)).Count(m => m.Status == "alive"); }
        catch (HttpRequestException) { return 0; }
    }

    private static async Task<(string Address, int Generation)> IdentityAsync(SiloProcess silo)
    {
        var self = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("self");
        return (self.GetProperty("address").GetString()!, self.GetProperty("generation").GetInt32());
    }

    private Task WaitForStatusAsync(IEnumerable<SiloProcess> observers, (string Address, int Generation) member, string status, TimeSpan within) =>
        Eventually.Until(async () =>
            {
                var seen = new List<string>();
                foreach (var o in observers)
                    seen.Add((await MembersAsync(o)).FirstOrDefault(m => m.Address == member.Address && m.Generation == member.Generation).Status ?? "absent");
                return seen;
            }, seen => seen.All(s => s == status), within, $"every survivor sees {member.Address}@{member.Generation} {status}");

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];

    [Fact]
    public async Task A_crashed_silo_is_declared_dead_by_every_survivor()
    {
        var victim = _silos[2];
        var id = await IdentityAsync(victim);
        victim.Kill();
        await WaitForStatusAsync(_silos.Take(2), id, "dead", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_hung_silo_is_declared_dead_and_a_paused_owner_does_not_stop_reads()
    {
        // Register an origin and find the silo that probes it: that owner is the one we hang.
        using var put = await _silos[0].Http.PutAsJsonAsync("/api/origins/paused", new { url = _target.Url("/paused"), intervalMs = 200 });
        put.EnsureSuccessStatusCode();
        foreach (var s in _silos)
            await Eventually.Until(() => StatusAsync(s, "paused"), status => status == "healthy", TimeSpan.FromSeconds(20), "healthy on every silo");
        var view = await _silos[0].Http.GetFromJsonAsync<JsonElement>("/api/origins/paused");
        var owner = view.GetProperty("health").GetProperty("owner").GetString()!;
        SiloProcess? ownerProcess = null;
        foreach (var s in _silos)
            if ((await IdentityAsync(s)).Address == owner) ownerProcess = s;
        Assert.NotNull(ownerProcess);
        var reader = _silos.First(s => s != ownerProcess);
        var ownerId = await IdentityAsync(ownerProcess!);

        ownerProcess!.Pause();
        // Any other silo still answers at once with the last known state, from its own replica. A read
        // that waited on the paused owner would wait seconds every time; a busy test host can delay any
        // one read, so the fastest of three must be under 200 ms.
        var took = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            var answer = await reader.Http.GetFromJsonAsync<JsonElement>("/api/origins/paused");
            took.Add(clock.ElapsedMilliseconds);
            Assert.Equal("healthy", answer.GetProperty("health").GetProperty("status").GetString());
        }
        Assert.True(took.Min() < 200, $"reads took {string.Join(", ", took)} ms");

        var survivors = _silos.Where(s => s != ownerProcess).ToList();
        await WaitForStatusAsync(survivors, ownerId, "dead", TimeSpan.FromSeconds(30));
        // The origin fails over to a survivor, which probes it again.
        try
        {
            await Eventually.Until(() => reader.Http.GetFromJsonAsync<JsonElement>("/api/origins/paused"),
                v => v.GetProperty("health").TryGetProperty("owner", out var o) && o.GetString() != owner, TimeSpan.FromSeconds(30), "a new owner probes it");
        }
        catch (TimeoutException e)
        {
            // What the survivors logged is the only way to tell a slow host from a failover that never came.
            var report = new System.Text.StringBuilder(e.Message);
            foreach (var s in survivors)
            {
                report.Append($"\n--- silo {s.HttpPort}: ");
                foreach (var path in new[] { "/api/cluster/members", "/api/cluster/replica", "/api/origins/paused" })
                {
                    try { report.Append($"\n{path}: {await s.Http.GetStringAsync(path)}"); }
                    catch (Exception ex) { report.Append($"\n{path}: {ex.Message}"); }
                }
                report.Append($"\n{Tail(s.Output, 30_000)}");
            }
            throw new TimeoutException(report.ToString(), e);
        }
    }

    [Fact]
    public async Task A_gracefully_stopped_silo_is_left_not_dead_and_a_restart_is_a_new_generation()
    {
        var leaving = _silos[1];
        var id = await IdentityAsync(leaving);
        leaving.Terminate();
        await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var survivors = new[] { _silos[0], _silos[2] };
        await WaitForStatusAsync(survivors, id, "left", TimeSpan.FromSeconds(30));

        // Same endpoint, same data, new process: a new generation that everyone sees alive.
        var port = int.Parse(id.Address.Split(':')[1]);
        var restarted = await StartSiloAsync(FreePort.Next(), seed: true, siloPort: port, data: _data[1]);
        _silos.Add(restarted);
        var newId = await IdentityAsync(restarted);
        Assert.Equal(id.Address, newId.Address);
        Assert.NotEqual(id.Generation, newId.Generation);
        await WaitForStatusAsync(survivors, newId, "alive", TimeSpan.FromSeconds(30));
    }
}
