using Heck.Silo;
using Heck.Silo.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Heck.Tests.Infrastructure;

/// <summary>
/// The real silo host (Orleans, storage, HTTP API) started inside the test process on free
/// loopback ports with its own data directory.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory? _ownData;

    public int HttpPort { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public string DataPath { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => _app.Services;

    public static JsonSerializerOptions Json { get; } = CreateJson();

    private InProcessSilo(WebApplication app, int http, int silo, int gateway, string dataPath, TempDirectory? ownData)
    {
        _app = app;
        HttpPort = http;
        SiloPort = silo;
        GatewayPort = gateway;
        DataPath = dataPath;
        _ownData = ownData;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public static async Task<InProcessSilo> StartAsync(string? dataPath = null, IEnumerable<string>? extraArgs = null,
        Action<WebApplicationBuilder>? customize = null)
    {
        var own = dataPath is null ? new TempDirectory() : null;
        var path = dataPath ?? own!.Path;
        var (http, silo, gateway) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var args = new List<string>
        {
            $"--Heck:Http:Port={http}", $"--Heck:Silo:Port={silo}", $"--Heck:Silo:GatewayPort={gateway}",
            $"--Heck:Storage:Path={path}", $"--Heck:Swim:Port={FreePort.Next()}",
        };
        args.AddRange(extraArgs ?? []);
        var app = HeckHost.Build(args.ToArray(), builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            customize?.Invoke(builder);
        });
        await app.StartAsync();
        return new InProcessSilo(app, http, silo, gateway, path, own);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string?> StatusOfAsync(string id)
    {
        using var response = await Http.GetAsync($"/api/origins/{id}");
        if (!response.IsSuccessStatusCode) return null;
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("health").GetProperty("status").GetString();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        _ownData?.Dispose();
    }

    private static JsonSerializerOptions CreateJson()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApiJson.Configure(o);
        return o;
    }
}
