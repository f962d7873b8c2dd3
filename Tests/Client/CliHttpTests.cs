using System.Net.Http.Headers;
using System.Text;
using Heck.Client.Cli;

namespace Heck.Tests.Client;

/// <summary>One silo process for <see cref="CliHttpTests"/>, with an origins file that manages the origin <c>managed</c>.</summary>
public sealed class CliSilo : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    public SiloProcess Silo { get; private set; } = null!;
    public TargetServer Target { get; private set; } = null!;
    public string Api => $"http://127.0.0.1:{Silo.HttpPort}";

    public async Task InitializeAsync()
    {
        var file = Path.Combine(_data.Path, "origins.yaml");
        await File.WriteAllTextAsync(file, "origins:\n  - id: managed\n    url: http://127.0.0.1:9/managed\n");
        Target = await TargetServer.StartAsync();
        Silo = await SiloProcess.StartAsync(FreePort.Next(),
        [
            $"--Heck:Storage:Path={Path.Combine(_data.Path, "data")}", $"--Heck:Silo:Port={FreePort.Next()}",
            $"--Heck:Silo:GatewayPort={FreePort.Next()}", $"--Heck:Swim:Port={FreePort.Next()}", $"--Heck:OriginsFile={file}",
        ]);
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Target.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary><c>heck</c> against a real silo over HTTP (its default path): each command, its errors and exit codes, and the API's ETags.</summary>
[Trait("Category", "Process")]
[Collection(ClusterCollection.Name)]
public sealed class CliHttpTests(CliSilo silo) : IClassFixture<CliSilo>
{
    private Task<CliResult> Heck(params string[] args) => Cli.RunAsync(["--api", silo.Api, .. args]);

    private static JsonElement Json(CliResult r)
    {
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Fact]
    public async Task Add_set_get_ls_transitions_and_rm_over_http()
    {
        var url = silo.Target.Url("/a");
        var add = await Heck("origins", "add", "a", url, "--interval-ms", "200", "--healthy-threshold", "1", "-o", "json");
        Assert.True(Json(add).GetProperty("created").GetBoolean());

        // set changes only what it is given: the threshold given to add stays.
        var set = Json(await Heck("origins", "set", "a", "--interval-ms", "300", "-o", "json"));
        Assert.Equal(300, set.GetProperty("intervalMs").GetInt32());
        Assert.Equal(150, set.GetProperty("timeoutMs").GetInt32()); // a default timeout follows the interval
        Assert.Equal(1, set.GetProperty("healthyThreshold").GetInt32());
        Assert.Equal(url, set.GetProperty("url").GetString());

        await Eventually.Until(async () => Json(await Heck("origins", "get", "a", "--json")).GetProperty("health").GetProperty("status").GetString(),
            s => s == "healthy", TimeSpan.FromSeconds(15), "a healthy");
        var listed = Json(await Heck("origins", "ls", "-o", "json")).GetProperty("items");
        Assert.Contains(listed.EnumerateArray(), o => o.GetProperty("id").GetString() == "a");
        var yaml = await Heck("origins", "get", "a", "-o", "yaml");
        Assert.Contains("intervalMs: 300", yaml.Stdout);

        // The verdict the get saw is among them; on a busy host a 150 ms probe may time out after it, so it need not be the last.
        var transitions = Json(await Heck("transitions", "a", "-o", "json")).GetProperty("items");
        Assert.Contains(transitions.EnumerateArray(), t => t.GetProperty("to").GetString() == "healthy");
        var table = await Heck("transitions", "a");
        Assert.Contains("healthy", table.Stdout);

        var status = Json(await Heck("status", "-o", "json"));
        Assert.Equal(1, status.GetProperty("members").GetArrayLength());
        Assert.True(status.GetProperty("counts").GetProperty("healthy").GetInt32() >= 1);

        Assert.Equal(ExitCodes.Ok, (await Heck("origins", "rm", "a")).ExitCode);
        var gone = await Heck("origins", "get", "a");
        Assert.Equal(ExitCodes.Failed, gone.ExitCode);
        Assert.Equal("heck: origin 'a' not found", gone.Stderr.Trim());
    }

    [Fact]
    public async Task Errors_name_the_flags_and_exit_with_their_codes()
    {
        Assert.Equal(ExitCodes.Ok, (await Heck("origins", "add", "e", "http://127.0.0.1:9/e")).ExitCode);
        var bad = await Heck("origins", "set", "e", "--interval-ms", "50");
        Assert.True(bad.ExitCode == ExitCodes.Usage, bad.ToString());
        Assert.StartsWith("--interval-ms: ", bad.Stderr);
        Assert.Contains("(was 50)", bad.Stderr);

        var missing = await Heck("origins", "set", "nope", "--interval-ms", "500");
        Assert.Equal(ExitCodes.Failed, missing.ExitCode);
        Assert.Contains("origin 'nope' not found", missing.Stderr);
        Assert.Equal(ExitCodes.Failed, (await Heck("transitions", "nope")).ExitCode);

        var managed = await Heck("origins", "set", "managed", "--interval-ms", "500");
        Assert.True(managed.ExitCode == ExitCodes.Failed, managed.ToString());
        Assert.Contains("origins file", managed.Stderr);
        Assert.Equal(ExitCodes.Ok, (await Heck("origins", "rm", "e")).ExitCode);
    }

    [Fact]
    public async Task Every_origin_answer_has_an_etag_and_if_match_refuses_a_lost_update()
    {
        using var http = new HttpClient { BaseAddress = new Uri(silo.Api) };
        using var put = await http.PutAsJsonAsync("/api/origins/tag", new { url = "http://127.0.0.1:9/tag" });
        var created = put.Headers.ETag!.Tag;
        using var get = await http.GetAsync("/api/origins/tag");
        Assert.Equal(created, get.Headers.ETag!.Tag);
        Assert.False(get.Headers.ETag.IsWeak);

        using var patch = await Patch(http, "tag", """{"intervalMs":5000}""", created);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var changed = patch.Headers.ETag!.Tag;
        Assert.NotEqual(created, changed);

        using var lost = await Patch(http, "tag", """{"intervalMs":6000}""", created);
        Assert.Equal(HttpStatusCode.PreconditionFailed, lost.StatusCode);
        var problem = await lost.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("https://heck.dev/problems/precondition-failed", problem.GetProperty("type").GetString());
        Assert.Equal(changed, problem.GetProperty("etag").GetString());

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/origins/tag");
        delete.Headers.IfMatch.Add(new EntityTagHeaderValue(created));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await http.SendAsync(delete)).StatusCode);

        using var createOnly = new HttpRequestMessage(HttpMethod.Put, "/api/origins/tag") { Content = JsonContent.Create(new { url = "http://127.0.0.1:9/x" }) };
        createOnly.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await http.SendAsync(createOnly)).StatusCode);

        using var plain = new HttpRequestMessage(HttpMethod.Patch, "/api/origins/tag") { Content = new StringContent("""{"intervalMs":700}""", Encoding.UTF8, "application/json") };
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await http.SendAsync(plain)).StatusCode);
        using var unknown = await Patch(http, "no-such-origin", """{"intervalMs":700}""", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // null resets a field to its default; the result is validated as a PUT is.
        using var reset = await Patch(http, "tag", """{"intervalMs":null}""", changed);
        Assert.Equal(10_000, (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("intervalMs").GetInt32());
        using var invalid = await Patch(http, "tag", """{"intervalMs":50}""", null);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("intervalMs", out _));
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/api/origins/tag")).StatusCode);
    }

    private static Task<HttpResponseMessage> Patch(HttpClient http, string id, string json, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/origins/{id}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null) request.Headers.IfMatch.Add(new EntityTagHeaderValue(ifMatch));
        return http.SendAsync(request);
    }

    [Fact]
    public async Task Apply_dry_run_changes_nothing_and_apply_prune_reports_what_the_origins_file_refuses()
    {
        Assert.Equal(ExitCodes.Ok, (await Heck("origins", "add", "old", "http://127.0.0.1:9/old")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Heck("origins", "add", "kept", "http://127.0.0.1:9/kept", "--interval-ms", "5000")).ExitCode);
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "mine.yaml");
        await File.WriteAllTextAsync(file, """
            origins:
              - id: fresh
                url: http://127.0.0.1:9/fresh
              - id: kept
                url: http://127.0.0.1:9/kept
                intervalMs: 7000
              - id: managed
                url: http://127.0.0.1:9/elsewhere
            """);

        var dry = await Heck("apply", "-f", file, "--prune", "--dry-run");
        Assert.True(dry.ExitCode == ExitCodes.Ok, dry.ToString());
        var lines = dry.Stdout.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("+ fresh", lines);
        Assert.Contains("~ kept: intervalMs 5000 -> 7000", lines);
        Assert.Contains("- old", lines);
        Assert.Contains("dry run: nothing was changed", dry.Stdout);
        Assert.Equal(ExitCodes.Failed, (await Heck("origins", "get", "fresh")).ExitCode);

        var applied = await Heck("apply", "-f", file, "--prune");
        Assert.True(applied.ExitCode == ExitCodes.Failed, applied.ToString()); // managed is refused
        Assert.Contains("heck: managed: ", applied.Stderr);
        Assert.Contains("origins file", applied.Stderr);
        Assert.Equal(ExitCodes.Ok, (await Heck("origins", "get", "fresh")).ExitCode);
        Assert.Equal(7000, Json(await Heck("origins", "get", "kept", "-o", "json")).GetProperty("intervalMs").GetInt32());
        Assert.Equal(ExitCodes.Failed, (await Heck("origins", "get", "old")).ExitCode);

        await File.WriteAllTextAsync(file, "origins:\n  - id: x\n    url: ftp://nope\n    interval: 5\n");
        var broken = await Heck("apply", "-f", file);
        Assert.True(broken.ExitCode == ExitCodes.Usage, broken.ToString());
        Assert.Contains("nothing was applied", broken.Stderr);
        foreach (var id in new[] { "fresh", "kept" }) await Heck("origins", "rm", id);
    }

    [Fact]
    public async Task Watch_says_at_once_what_it_watches()
    {
        var r = await Heck("watch", "--timeout-ms", "300");
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        Assert.Matches(@"^Watching \d+ origins? on http://127\.0\.0\.1:\d+; Ctrl-C to stop\.", r.Stderr);
    }

    [Fact]
    public async Task Watch_over_http_reads_the_event_stream_in_causal_order()
    {
        var url = silo.Target.Url("/w");
        Assert.Equal(ExitCodes.Ok, (await Heck("origins", "add", "w", url, "--interval-ms", "200", "--healthy-threshold", "1", "--unhealthy-threshold", "1")).ExitCode);
        var watch = Heck("watch", "w", "--count", "2", "--timeout-ms", "25000", "-o", "json");
        // Flip the target until the watch has seen two transitions: some happen after it opened its stream.
        for (var i = 0; i < 40 && !watch.IsCompleted; i++)
        {
            silo.Target.Set("/w", i % 2 == 0 ? TargetMode.Failing : TargetMode.Healthy);
            await Task.WhenAny(watch, Task.Delay(600));
        }
        var r = await watch;
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal("w", l.GetProperty("originId").GetString()));
        // Numbered by the silo's log, in its order; and the two alternate, as the target did.
        Assert.True(lines[0].GetProperty("sequence").GetInt64() < lines[1].GetProperty("sequence").GetInt64());
        Assert.Equal(lines[0].GetProperty("to").GetString(), lines[1].GetProperty("from").GetString());
        await Heck("origins", "rm", "w");
    }
}
