using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Heck.Tests.Infrastructure;
using Xunit;

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
        var args = new[]
        {
            $"--Heck:Storage:Path={data.Path}", $"--Heck:Silo:Port={FreePort.Next()}", $"--Heck:Silo:GatewayPort={FreePort.Next()}", $"--Heck:Swim:Port={FreePort.Next()}",
        };

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
    public async Task A_bad_configuration_value_stops_the_silo_and_names_the_key()
    {
        var (code, output) = await SiloProcess.RunToExitAsync(["--Heck:Http:Port=0"], TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("Heck:Http:Port", output);
        Assert.DoesNotContain("   at ", output); // a message, not a stack trace
    }
}
