using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heck.Benchmarks.Soak;

/// <summary>
/// The soak's probed targets: an HTTP server on 127.0.0.1 where every path is healthy, recording each path's last hit
/// overall and per source address. On a <see cref="LoopbackNetwork"/> a silo's probes come from its own address, so
/// during a partition the soak can tell whether each side keeps probing every origin.
/// </summary>
internal sealed class SoakTarget : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long> _lastHit = new();
    private readonly ConcurrentDictionary<(string Path, string Source), long> _lastHitFrom = new();

    private SoakTarget(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SoakTarget> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        SoakTarget? target = null;
        app.Map("/{**path}", (HttpContext context) =>
        {
            var t = target!;
            var path = "/" + (context.Request.RouteValues["path"]?.ToString() ?? "");
            var now = Stopwatch.GetTimestamp();
            t._lastHit[path] = now;
            t._lastHitFrom[(path, context.Connection.RemoteIpAddress?.MapToIPv4().ToString() ?? "")] = now;
            return context.Response.WriteAsync("ok");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        target = new SoakTarget(app, new Uri(address).Port);
        return target;
    }

    public string Url(string path) => $"http://127.0.0.1:{Port}{(path.StartsWith('/') ? path : "/" + path)}";

    /// <summary>The <see cref="Stopwatch"/> timestamp of the path's latest hit, or 0.</summary>
    public long LastHit(string path) => _lastHit.GetValueOrDefault(path);

    /// <summary>The latest hit of <paramref name="path"/> from any of <paramref name="sources"/> (addresses), or 0.</summary>
    public long LastHitFrom(string path, IEnumerable<string> sources) => sources.Max(s => _lastHitFrom.GetValueOrDefault((path, s)));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
