using Heck.Client.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Heck.Tests.Client;

/// <summary>
/// <c>heck watch</c> over HTTP against a stand-in for <c>/api/watch</c> that ends its first stream after
/// one event: the CLI opens it again with that event's id and goes on from there.
/// </summary>
public sealed class CliWatchStreamTests : IAsyncLifetime
{
    private WebApplication _api = null!;
    private readonly List<string?> _lastEventIds = [];
    private string Url => _api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static string Event(int n) =>
        $"id: g-{n}\ndata: {{\"originId\":\"a\",\"at\":\"2026-01-01T00:00:0{n}Z\",\"from\":\"healthy\",\"to\":\"unhealthy\",\"reason\":\"r{n}\",\"stamp\":{{}}}}\n\n";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _api = builder.Build();
        _api.MapGet("/api/origins", () => Results.Text("{\"items\":[]}", "application/json"));
        _api.MapGet("/api/watch", async (HttpContext context) =>
        {
            string? last = context.Request.Headers["Last-Event-ID"];
            int connection;
            lock (_lastEventIds)
            {
                _lastEventIds.Add(last);
                connection = _lastEventIds.Count;
            }
            context.Response.ContentType = "text/event-stream";
            // The first stream ends after event 1 (a proxy's idle timeout, say); a resumed one sends what follows its id.
            await context.Response.WriteAsync(": watching\n\n" + (connection == 1 ? Event(1) : last == "g-1" ? Event(2) : "event: reset\ndata: {}\n\n"));
            await context.Response.Body.FlushAsync();
            if (connection > 1) await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { });
        });
        await _api.StartAsync();
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_stream_that_ends_is_opened_again_from_the_last_event_id()
    {
        var r = await Cli.RunAsync("--api", Url, "watch", "--count", "2", "--timeout-ms", "20000", "-o", "json");
        Assert.True(r.ExitCode == ExitCodes.Ok, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["r1", "r2"], lines.Select(l => l.GetProperty("reason").GetString()));
        Assert.Equal([1L, 2L], lines.Select(l => l.GetProperty("sequence").GetInt64()));
        lock (_lastEventIds) Assert.Equal([null, "g-1"], _lastEventIds);
    }
}
