using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heck.Harness;

public enum TargetMode { Healthy, Failing, Slow, Hanging }

/// <summary>
/// An HTTP server on 127.0.0.1 whose paths a test switches between healthy, failing, slow and
/// hanging, counting the hits of each path: the origins that Heck probes in tests and benchmarks.
/// </summary>
public sealed class TargetServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TargetMode> _modes = new();
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly ConcurrentDictionary<string, long> _lastHit = new();
    private readonly CancellationTokenSource _stopping = new();

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Per-path arrival recording for throughput benchmarks; null (off) unless a scenario sets it.</summary>
    public ArrivalRecorder? Arrivals { get; set; }

    public int Port { get; }

    private TargetServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public static async Task<TargetServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        TargetServer? target = null;
        app.Map("/{**path}", async (HttpContext context) =>
        {
            var t = target!;
            var path = "/" + (context.Request.RouteValues["path"]?.ToString() ?? "");
            t._hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            t._lastHit[path] = System.Diagnostics.Stopwatch.GetTimestamp();
            t.Arrivals?.Record(path);
            switch (t._modes.GetValueOrDefault(path, TargetMode.Healthy))
            {
                case TargetMode.Failing:
                    context.Response.StatusCode = 503;
                    await context.Response.WriteAsync("down");
                    break;
                case TargetMode.Slow:
                    await Task.Delay(t.SlowDelay, t._stopping.Token);
                    await context.Response.WriteAsync("ok slow");
                    break;
                case TargetMode.Hanging:
                    await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(t._stopping.Token, context.RequestAborted).Token)
                        .ContinueWith(_ => { });
                    break;
                default:
                    await context.Response.WriteAsync("ok");
                    break;
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        target = new TargetServer(app, new Uri(address).Port);
        return target;
    }

    public string Url(string path) => $"http://127.0.0.1:{Port}{(path.StartsWith('/') ? path : "/" + path)}";

    public void Set(string path, TargetMode mode) => _modes[Normal(path)] = mode;

    public int Hits(string path) => _hits.GetValueOrDefault(Normal(path));

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> timestamp of the path's latest hit, or 0.</summary>
    public long LastHit(string path) => _lastHit.GetValueOrDefault(Normal(path));

    private static string Normal(string path) => path.StartsWith('/') ? path : "/" + path;

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
