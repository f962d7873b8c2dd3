using System.Collections.Concurrent;
using System.Text;
using Heck.Client.Cli;
using Heck.Grains.Probing;
using Heck.Tests.Client;
using Heck.Tests.Probing;
using Microsoft.Extensions.Logging;

namespace Heck.Tests.Api;

/// <summary>
/// One silo for <see cref="GuardApiTests"/>: 127.0.0.2/32 denied, a made-up name that resolves there, a low
/// interval floor and a tiny probe budget, and every log line it writes kept.
/// </summary>
public sealed class GuardSilo : IAsyncLifetime
{
    public const string DeniedName = "rebound.heck.test";
    public const double Budget = 12;
    public InProcessSilo Silo { get; private set; } = null!;
    public CapturingLogger Logs { get; } = new();
    public RecordingListener Target { get; } = new();
    public RecordingListener DeniedTarget { get; } = new(IPAddress.Parse("127.0.0.2"));

    public async Task InitializeAsync()
    {
        Silo = await InProcessSilo.StartAsync(extraArgs:
            [
                "--Heck:Probing:DenyNetworks:0=127.0.0.2/32", "--Heck:Limits:MinIntervalMs=200",
                $"--Heck:Limits:ProbesPerSecondPerSilo={Budget}", "--Heck:Limits:MaxOrigins=8",
            ],
            customize: builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Information);
                builder.Logging.AddProvider(Logs);
                builder.Services.AddSingleton<IProbeResolver>(new MapResolver(new() { [DeniedName] = [IPAddress.Parse("127.0.0.2")] }));
            });
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await Target.DisposeAsync();
        await DeniedTarget.DisposeAsync();
    }
}

/// <summary>Every log line, formatted, of every category.</summary>
public sealed class CapturingLogger : ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();
    public ILogger CreateLogger(string categoryName) => this;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
    public void Dispose() { }
}

/// <summary>Secrets stay secret, the SSRF guard and the limits, through the HTTP API (and the CLI over it).</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class GuardApiTests(GuardSilo fixture) : IClassFixture<GuardSilo>
{
    private InProcessSilo Silo => fixture.Silo;

    private Task<HttpResponseMessage> PutAsync(string id, string json) =>
        Silo.Http.PutAsync($"/api/origins/{id}", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    private static void NoSecret(string text)
    {
        foreach (var secret in new[] { "pw-S1", "Bearer S2", "S3-key", "S4-new" })
            Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public async Task Secrets_are_masked_in_the_api_the_cli_and_the_logs_and_still_sent_by_probes()
    {
        var port = fixture.Target.Port;
        using var created = await PutAsync("sec", $$$"""
            {"url":"http://alice:pw-S1@127.0.0.1:{{{port}}}/s","intervalMs":1000,
             "headers":{"Authorization":"Bearer S2","X-Api-Key":"S3-key","Accept":"text/plain"}}
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        NoSecret(body);
        var doc = JsonDocument.Parse(body).RootElement;
        Assert.Equal($"http://***@127.0.0.1:{port}/s", doc.GetProperty("url").GetString());
        Assert.Equal("***", doc.GetProperty("headers").GetProperty("Authorization").GetString());
        Assert.Equal("***", doc.GetProperty("headers").GetProperty("X-Api-Key").GetString());
        Assert.Equal("text/plain", doc.GetProperty("headers").GetProperty("Accept").GetString());
        var etag = created.Headers.ETag!.Tag;

        // The probes send them: the spec's Authorization header (over the url's user info) and the key.
        await Eventually.Until(() => Task.FromResult(fixture.Target.Requests.Count), n => n > 0, TimeSpan.FromSeconds(15), "a probe");
        var probe = fixture.Target.Requests.First();
        Assert.Contains("Authorization: Bearer S2\r\n", probe);
        Assert.Contains("X-Api-Key: S3-key\r\n", probe);

        NoSecret((await Silo.Http.GetStringAsync("/api/origins/sec")));
        NoSecret((await Silo.Http.GetStringAsync("/api/origins")));

        // GET, change, PUT back with the masks: the secrets stay; the tag changes with the interval only.
        var shown = JsonDocument.Parse(await Silo.Http.GetStringAsync("/api/origins/sec")).RootElement;
        var back = $$"""
            {"url":{{shown.GetProperty("url").GetRawText()}},"intervalMs":2000,"headers":{{shown.GetProperty("headers").GetRawText()}}}
            """;
        using (var put = await PutAsync("sec", back))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.NotEqual(etag, put.Headers.ETag!.Tag);
            etag = put.Headers.ETag!.Tag;
        }
        using (var same = await PutAsync("sec", back))
            Assert.Equal(etag, same.Headers.ETag!.Tag); // nothing changed, so neither did the tag
        // A new secret changes the tag, though every document shows the same mask.
        using (var rotated = await PutAsync("sec", back.Replace("\"X-Api-Key\":\"***\"", "\"X-Api-Key\":\"S4-new\"")))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
            Assert.NotEqual(etag, rotated.Headers.ETag!.Tag);
            NoSecret(await rotated.Content.ReadAsStringAsync());
        }
        // A merge patch of another field keeps them.
        using (var patch = await Silo.Http.PatchAsync("/api/origins/sec",
            new StringContent("""{"intervalMs":1000}""", Encoding.UTF8, "application/merge-patch+json")))
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        // A mask for a secret that is not stored is refused, naming the header.
        using (var unknown = await PutAsync("sec", back.Replace("\"Accept\"", "\"Cookie\"").Replace("\"text/plain\"", "\"***\"")))
        {
            var problem = await ProblemAsync(unknown, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("headers.Cookie", out _), problem.ToString());
        }

        // The CLI over the API: table, json and yaml; and `origins set`, a read-modify-write, keeps them.
        var api = $"http://127.0.0.1:{Silo.HttpPort}";
        foreach (var args in new[] { new[] { "origins", "get", "sec" }, ["origins", "get", "sec", "-o", "json"], ["origins", "get", "sec", "-o", "yaml"], ["origins", "ls"], ["origins", "ls", "-o", "json"] })
        {
            var run = await Cli.RunAsync(["--api", api, .. args]);
            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.Contains("***", run.Stdout);
            NoSecret(run.Stdout);
        }
        var set = await Cli.RunAsync(["--api", api, "origins", "set", "sec", "--interval-ms", "1500", "-o", "json"]);
        Assert.True(set.ExitCode == ExitCodes.Ok, set.ToString());
        NoSecret(set.Stdout);

        var before = fixture.Target.Requests.Count;
        await Eventually.Until(() => Task.FromResult(fixture.Target.Requests.Count), n => n > before, TimeSpan.FromSeconds(15), "a probe after the writes");
        var last = fixture.Target.Requests.Last();
        Assert.Contains("Authorization: Bearer S2\r\n", last);
        Assert.Contains("X-Api-Key: S4-new\r\n", last);

        // The owner logged what it registered, with the url masked.
        var logs = string.Join("\n", fixture.Logs.Lines);
        Assert.Contains($"Origin sec registered: http://***@127.0.0.1:{port}/s", logs);
        NoSecret(logs);
        (await Silo.Http.DeleteAsync("/api/origins/sec")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_denied_literal_address_is_a_400_naming_the_url_and_a_name_resolving_there_fails_without_a_request()
    {
        foreach (var url in new[] { $"http://127.0.0.2:{fixture.DeniedTarget.Port}/", "http://169.254.169.254/latest/meta-data/", $"tcp://127.0.0.2:{fixture.DeniedTarget.Port}" })
        {
            using var refused = await PutAsync("ssrf", $$"""{"url":"{{url}}","intervalMs":1000}""");
            var problem = await ProblemAsync(refused, HttpStatusCode.BadRequest);
            Assert.Contains("Heck:Probing", Assert.Single(problem.GetProperty("errors").GetProperty("url").EnumerateArray()).GetString());
        }
        using (var missing = await Silo.Http.GetAsync("/api/origins/ssrf"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // Only resolution reveals it: registered, and every probe fails before connecting.
        using (var created = await PutAsync("rebound", $$"""{"url":"http://{{GuardSilo.DeniedName}}:{{fixture.DeniedTarget.Port}}/","intervalMs":1000,"unhealthyThreshold":1}"""))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await Eventually.Until(() => Silo.GetJsonAsync("/api/origins/rebound"),
            v => v.GetProperty("health").TryGetProperty("lastError", out var e) && e.GetString() is not null, TimeSpan.FromSeconds(15), "a probe of rebound");
        Assert.Equal(NetworkPolicy.DeniedReason, view.GetProperty("health").GetProperty("lastError").GetString());
        Assert.Equal(0, fixture.DeniedTarget.Connections);
        (await Silo.Http.DeleteAsync("/api/origins/rebound")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task The_interval_floor_the_probe_budget_and_max_origins_come_from_config()
    {
        using (var fast = await PutAsync("fast", """{"url":"http://127.0.0.1:9/","intervalMs":150}"""))
        {
            var problem = await ProblemAsync(fast, HttpStatusCode.BadRequest);
            Assert.Equal("must be 200 … 86400000 (was 150)", problem.GetProperty("errors").GetProperty("intervalMs")[0].GetString());
        }

        // Each origin every 200 ms is 5 probes/s: the budget of 12/s for the one silo takes two, not three.
        var ids = new List<string>();
        JsonElement? overBudget = null;
        for (var i = 0; i < 5 && overBudget is null; i++)
        {
            using var put = await PutAsync($"b{i}", """{"url":"http://127.0.0.1:9/","intervalMs":200,"timeoutMs":100}""");
            if (put.StatusCode == HttpStatusCode.Created) ids.Add($"b{i}");
            else overBudget = await ProblemAsync(put, HttpStatusCode.ServiceUnavailable);
        }
        Assert.Equal(2, ids.Count);
        Assert.Equal("Heck:Limits:ProbesPerSecondPerSilo", overBudget!.Value.GetProperty("key").GetString());
        var detail = overBudget.Value.GetProperty("detail").GetString();
        Assert.Contains("probes 10/s", detail);
        Assert.Contains("budget of 12/s", detail);
        Assert.Equal(HttpStatusCode.NotFound, (await Silo.Http.GetAsync("/api/origins/b2")).StatusCode);
        // Slowing an origin down is always admitted.
        using (var slower = await PutAsync("b0", """{"url":"http://127.0.0.1:9/","intervalMs":86400000}"""))
            Assert.Equal(HttpStatusCode.OK, slower.StatusCode);

        // Max origins (8): rare probes, so only the count limits.
        var existing = (await Silo.GetJsonAsync("/api/origins")).GetProperty("items").GetArrayLength();
        JsonElement? tooMany = null;
        for (var i = existing; i <= 8 && tooMany is null; i++)
        {
            using var put = await PutAsync($"m{i}", """{"url":"http://127.0.0.1:9/","intervalMs":86400000}""");
            if (put.StatusCode == HttpStatusCode.Created) ids.Add($"m{i}");
            else tooMany = await ProblemAsync(put, (HttpStatusCode)429);
        }
        Assert.Equal("Heck:Limits:MaxOrigins", tooMany!.Value.GetProperty("key").GetString());
        Assert.Contains("8", tooMany.Value.GetProperty("detail").GetString());
        Assert.Equal(8, (await Silo.GetJsonAsync("/api/origins")).GetProperty("items").GetArrayLength());
        foreach (var id in ids) (await Silo.Http.DeleteAsync($"/api/origins/{id}")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task The_sdk_over_the_gateway_meets_the_same_limits_and_the_cli_over_it_masks_secrets()
    {
        await using var client = await Heck.Client.Sdk.HeckClient.ConnectAsync(
            new Heck.Client.Sdk.HeckClientOptions { Gateways = { $"127.0.0.1:{Silo.GatewayPort}" } });
        var input = new OriginInput { Url = "http://127.0.0.1:9/", IntervalMs = 200, TimeoutMs = 100 };
        await client.UpsertOriginAsync("g0", input);
        await client.UpsertOriginAsync("g1", input);
        var refused = await Assert.ThrowsAsync<Heck.Client.Sdk.HeckLimitException>(() => client.UpsertOriginAsync("g2", input));
        Assert.Equal(("Heck:Limits:ProbesPerSecondPerSilo", AdmissionRefusalKind.OverBudget), (refused.Refusal.Key, refused.Refusal.Kind));
        var denied = await Assert.ThrowsAsync<Heck.Client.Sdk.HeckValidationException>(() =>
            client.UpsertOriginAsync("g2", new OriginInput { Url = "http://169.254.169.254/" }));
        Assert.Equal("url", Assert.Single(denied.Errors).Field);
        await client.RemoveOriginAsync("g1");

        await client.UpsertOriginAsync("g1", new OriginInput { Url = "http://u:pw-S1@127.0.0.1:9/", IntervalMs = 86_400_000, Headers = new() { ["Authorization"] = "Bearer S2" } });
        var run = await Cli.RunAsync(["--gateway", $"127.0.0.1:{Silo.GatewayPort}", "origins", "get", "g1", "-o", "json"]);
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("http://***@127.0.0.1:9/", run.Stdout);
        NoSecret(run.Stdout);
        var set = await Cli.RunAsync(["--gateway", $"127.0.0.1:{Silo.GatewayPort}", "origins", "set", "g1", "--interval-ms", "80000000"]);
        Assert.True(set.ExitCode == ExitCodes.Ok, set.ToString());
        NoSecret(set.Stdout);
        // The SDK reads what the API shows, secrets masked, in every read it has; the silo keeps them.
        var read = (await client.GetOriginAsync("g1"))!.Spec;
        Assert.Equal(("http://***@127.0.0.1:9/", "***", 80_000_000), (read.Url, read.Headers["Authorization"], read.IntervalMs));
        Assert.Equal("***", (await client.ListOriginsAsync()).Single(v => v.Spec.Id == "g1").Spec.Headers["Authorization"]);
        var upserted = await client.UpsertOriginAsync("g1", new OriginInput { Url = read.Url, IntervalMs = 70_000_000, Headers = new() { ["Authorization"] = "***" } });
        Assert.Equal("***", upserted.View.Spec.Headers["Authorization"]);
        var stored = (await Silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IOriginGrain>("g1").GetView())!.Spec;
        Assert.Equal(("http://u:pw-S1@127.0.0.1:9/", "Bearer S2", 70_000_000), (stored.Url, stored.Headers["Authorization"], stored.IntervalMs));
        foreach (var id in new[] { "g0", "g1" }) await client.RemoveOriginAsync(id);
    }
}
