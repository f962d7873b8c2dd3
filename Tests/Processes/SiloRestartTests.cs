namespace Heck.Tests.Processes;

/// <summary>A real silo process, crashed and restarted on the same data path.</summary>
[Trait("Category", "Process")]
[Collection(ClusterCollection.Name)]
public sealed class SiloRestartTests
{
    [Fact]
    public async Task Origins_survive_a_crash_and_resume_probing_with_no_call()
    {
        using var data = new TempDirectory();
        await using var target = await TargetServer.StartAsync();
        var args = RestartArgs(data);

        var http = FreePort.Next();
        await using (var first = await SiloProcess.StartAsync(http, args))
        {
            using var put = await first.Http.PutAsJsonAsync("/api/origins/survivor", new { url = target.Url("/survivor"), intervalMs = 200 });
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            await Eventually.True(() => target.Hits("/survivor") >= 2, TimeSpan.FromSeconds(10), "probed before the crash");
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        var hitsAfterCrash = target.Hits("/survivor");
        await using var second = await SiloProcess.StartAsync(http, args);
        // Nobody calls the origin: the silo must resume it on its own.
        await Eventually.True(() => target.Hits("/survivor") >= hitsAfterCrash + 3, TimeSpan.FromSeconds(15), "probing resumed after restart");
        using var get = await second.Http.GetAsync("/api/origins/survivor");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var view = await get.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(200, view.GetProperty("intervalMs").GetInt32());
        await Eventually.Until(async () =>
            {
                using var r = await second.Http.GetAsync("/api/origins/survivor");
                return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("health").GetProperty("status").GetString();
            }, s => s == "healthy", TimeSpan.FromSeconds(10), "healthy after restart");
    }

    [Fact]
    public async Task A_restarted_silo_shows_the_last_verdict_at_once_instead_of_unknown()
    {
        using var data = new TempDirectory();
        await using var target = await TargetServer.StartAsync();
        var args = RestartArgs(data);
        var http = FreePort.Next();
        // Two successes 5 s apart make it healthy: a silo that restarted from unknown would read unknown for 5 s.
        await using (var first = await SiloProcess.StartAsync(http, args))
        {
            using var put = await first.Http.PutAsJsonAsync("/api/origins/verdict", new { url = target.Url("/verdict"), intervalMs = 5000, healthyThreshold = 2 });
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            await Eventually.Until(() => StatusAsync(first.Http), s => s == "healthy", TimeSpan.FromSeconds(30), "healthy before the crash");
            // One more probe: the journal's activity stamps (every 2 s) have saved the healthy record by then.
            var hits = target.Hits("/verdict");
            await Eventually.True(() => target.Hits("/verdict") > hits, TimeSpan.FromSeconds(15), "probed again");
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        await using var second = await SiloProcess.StartAsync(http, args);
        using var get = await second.Http.GetAsync("/api/origins/verdict");
        var health = (await get.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("health");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.True(health.TryGetProperty("ageMs", out _), health.ToString());
    }

    private static async Task<string?> StatusAsync(HttpClient http)
    {
        using var r = await http.GetAsync("/api/origins/verdict");
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("health").GetProperty("status").GetString();
    }

    [Fact]
    public async Task A_bad_configuration_value_stops_the_silo_and_names_the_key()
    {
        var (code, output) = await SiloProcess.RunToExitAsync(["--Heck:Http:Port=0"], TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("Heck:Http:Port", output);
        Assert.DoesNotContain("   at ", output); // a message, not a stack trace
    }

    /// <summary>One data path and fixed ports, so the restarted process is the same silo on the same data.</summary>
    private static string[] RestartArgs(TempDirectory data) =>
    [
        $"--Heck:Storage:Path={data.Path}", $"--Heck:Silo:Port={FreePort.Next()}", $"--Heck:Silo:GatewayPort={FreePort.Next()}", $"--Heck:Swim:Port={FreePort.Next()}",
    ];
}
