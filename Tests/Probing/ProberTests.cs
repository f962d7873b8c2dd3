using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Heck.Grains.Probing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Heck.Tests.Probing;

/// <summary>
/// Origins for the prober tests: one plain HTTP and one HTTPS Kestrel server on 127.0.0.1,
/// ports chosen by the OS. The HTTPS server's certificate is self-signed, so no client trusts it.
/// </summary>
public sealed class ProbeOrigins : IAsyncLifetime
{
    public const string Greeting = "hello heck";
    private WebApplication? _http, _https;

    /// <summary>What the <c>/record/{id}</c> route saw, by id.</summary>
    public ConcurrentDictionary<string, (string Method, Dictionary<string, string> Headers)> Recorded { get; } = new();
    public string HttpBase { get; private set; } = "";
    public string HttpsBase { get; private set; } = "";
    public OriginProber Prober { get; } = new(TimeProvider.System);

    public async Task InitializeAsync()
    {
        (_http, HttpBase) = await StartAsync("http://127.0.0.1:0", cert: null);
        (_https, HttpsBase) = await StartAsync("https://127.0.0.1:0", SelfSignedCertificate());
    }

    public async Task DisposeAsync()
    {
        Prober.Dispose();
        foreach (var app in new[] { _http, _https })
            if (app is not null) await app.DisposeAsync();
    }

    private async Task<(WebApplication, string)> StartAsync(string url, X509Certificate2? cert)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        if (cert is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h => h.ServerCertificate = cert));
        }
        var app = builder.Build();
        app.Urls.Add(url);
        MapRoutes(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return (app, address);
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/ok", () => Greeting);
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.MapGet("/slow/{ms:int}", async (int ms, HttpContext ctx) =>
        {
            await Task.Delay(ms, ctx.RequestAborted);
            return "slow";
        });
        // Headers at once, the body only after a delay: shows whether a probe waits for the body.
        app.MapGet("/late-body/{ms:int}", async (int ms, HttpContext ctx) =>
        {
            await ctx.Response.StartAsync(ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            await Task.Delay(ms, ctx.RequestAborted);
            await ctx.Response.WriteAsync(Greeting, ctx.RequestAborted);
        });
        // `pad` bytes of 'a' and then `text`.
        app.MapGet("/padded/{pad:int}/{text}", async (int pad, string text, HttpContext ctx) =>
        {
            ctx.Response.ContentType = "text/plain";
            var chunk = new byte[64 * 1024];
            chunk.AsSpan().Fill((byte)'a');
            for (var left = pad; left > 0; left -= chunk.Length)
                await ctx.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(left, chunk.Length)), ctx.RequestAborted);
            await ctx.Response.WriteAsync(text, ctx.RequestAborted);
        });
        app.MapGet("/redirect", () => Results.Redirect("/status/503"));
        app.MapMethods("/head-only", ["HEAD"], () => Results.Ok());
        app.MapMethods("/record/{id}", ["GET", "HEAD"], (string id, HttpContext ctx) =>
        {
            Recorded[id] = (ctx.Request.Method, ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            return Results.Ok();
        });
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Round trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), password: null);
    }
}

public sealed class HttpProberTests(ProbeOrigins origins) : IClassFixture<ProbeOrigins>
{
    internal static OriginSpec Spec(string url, Action<OriginInput>? configure = null)
    {
        // Generous: only the timeout tests should ever time out, however busy the machine.
        var input = new OriginInput { Url = url, TimeoutMs = 5000 };
        configure?.Invoke(input);
        var errors = OriginValidator.Validate("origin", input, out var spec);
        Assert.Empty(errors);
        return spec!;
    }

    private Task<ProbeResult> Probe(string path, Action<OriginInput>? configure = null) =>
        origins.Prober.ProbeAsync(Spec(origins.HttpBase + path, configure), CancellationToken.None);

    [Fact]
    public async Task A_status_in_the_expectation_succeeds()
    {
        var result = await Probe("/ok");
        Assert.True(result.Success, result.Error);
        Assert.Equal(200, result.StatusCode);
        Assert.Null(result.Error);
        Assert.InRange(result.LatencyMs, 0, 5000);
    }

    [Fact]
    public async Task A_status_outside_the_expectation_fails()
    {
        var result = await Probe("/status/503");
        Assert.Equal(new ProbeResult(false, result.LatencyMs, 503, "status 503 not in 200-399"), result);
    }

    [Fact]
    public async Task The_expectation_may_list_codes()
    {
        Assert.True((await Probe("/status/404", i => i.ExpectStatus = "200,404")).Success);
        Assert.Equal("status 204 not in 200,404", (await Probe("/status/204", i => i.ExpectStatus = "404,200")).Error);
    }

    [Fact]
    public async Task Redirects_are_judged_not_followed()
    {
        var result = await Probe("/redirect");
        Assert.True(result.Success, result.Error);
        Assert.Equal(302, result.StatusCode);
        Assert.Equal("status 302 not in 200", (await Probe("/redirect", i => i.ExpectStatus = "200")).Error);
    }

    [Fact]
    public async Task Latency_covers_the_wait_for_the_response()
    {
        var result = await Probe("/slow/150");
        Assert.True(result.Success, result.Error);
        Assert.InRange(result.LatencyMs, 140, 5000);
    }

    [Fact]
    public async Task A_slow_origin_times_out()
    {
        var result = await Probe("/slow/900", i => i.TimeoutMs = 100);
        Assert.False(result.Success);
        Assert.Equal("timeout after 100 ms", result.Error);
        Assert.Null(result.StatusCode);
        Assert.True(result.LatencyMs >= 90, $"latency {result.LatencyMs} ms");
    }

    [Fact]
    public async Task The_callers_cancellation_is_thrown_not_reported()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var spec = Spec(origins.HttpBase + "/slow/900", i => i.TimeoutMs = 900);
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => origins.Prober.ProbeAsync(spec, cts.Token));
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task Without_a_body_check_the_body_is_not_awaited()
    {
        // The body comes after the timeout: only a probe that does not wait for it can succeed.
        var result = await Probe("/late-body/950", i => i.TimeoutMs = 900);
        Assert.True(result.Success, result.Error);

        var withBody = await Probe("/late-body/950", i => { i.TimeoutMs = 200; i.BodyContains = "heck"; });
        Assert.Equal(("timeout after 200 ms", 200), (withBody.Error, withBody.StatusCode));
    }

    [Fact]
    public async Task The_body_must_contain_the_text()
    {
        Assert.True((await Probe("/ok", i => i.BodyContains = "heck")).Success);
        var result = await Probe("/ok", i => i.BodyContains = "goodbye");
        Assert.Equal((false, 200, "body does not contain 'goodbye'"), (result.Success, result.StatusCode, result.Error));
    }

    [Fact]
    public async Task A_long_missing_text_is_shortened_in_the_error()
    {
        var result = await Probe("/ok", i => i.BodyContains = new string('x', 500));
        Assert.False(result.Success);
        Assert.InRange(result.Error!.Length, 1, 120);
    }

    [Fact]
    public async Task The_status_is_checked_before_the_body()
    {
        var result = await Probe("/status/503", i => i.BodyContains = "heck");
        Assert.Equal("status 503 not in 200-399", result.Error);
    }

    [Theory]
    [InlineData(300 * 1024 - 3)]          // the text spans two reads
    [InlineData(HttpProber.MaxBodyBytes - 6)] // the text ends at the last byte read
    public async Task Text_anywhere_in_the_first_mebibyte_is_found(int pad)
    {
        var result = await Probe($"/padded/{pad}/needle", i => i.BodyContains = "needle");
        Assert.True(result.Success, result.Error);
    }

    [Fact]
    public async Task Text_after_the_first_mebibyte_is_not_found()
    {
        var result = await Probe($"/padded/{HttpProber.MaxBodyBytes - 5}/needle", i => i.BodyContains = "needle");
        Assert.Equal("body does not contain 'needle'", result.Error);
    }

    [Fact]
    public async Task Head_sends_a_head_request()
    {
        Assert.True((await Probe("/head-only", i => i.Method = "HEAD")).Success);
        Assert.Equal("status 405 not in 200-399", (await Probe("/head-only")).Error);

        await Probe("/record/head", i => i.Method = "head");
        Assert.Equal("HEAD", origins.Recorded["head"].Method);
    }

    [Fact]
    public async Task Headers_reach_the_origin_with_a_default_user_agent()
    {
        var result = await Probe("/record/headers", i => i.Headers = new() { ["X-Probe-Token"] = "s3cret", ["Host"] = "origin.example" });
        Assert.True(result.Success, result.Error);
        var (method, headers) = origins.Recorded["headers"];
        Assert.Equal("GET", method);
        Assert.Equal("s3cret", headers["X-Probe-Token"]);
        Assert.Equal("origin.example", headers["Host"]);
        Assert.Equal(HttpProber.DefaultUserAgent, headers["User-Agent"]);
        Assert.False(headers.ContainsKey("Cookie"));
    }

    [Fact]
    public async Task A_given_user_agent_replaces_the_default()
    {
        await Probe("/record/agent", i => i.Headers = new() { ["user-agent"] = "lb-check/2" });
        Assert.Equal("lb-check/2", origins.Recorded["agent"].Headers["User-Agent"]);
    }

    [Fact]
    public async Task A_refused_connection_fails()
    {
        var result = await origins.Prober.ProbeAsync(Spec($"http://127.0.0.1:{Ports.Refusing()}/"), CancellationToken.None);
        Assert.False(result.Success);
        Assert.Equal("connection refused", result.Error); // as a TCP probe says it
        Assert.Null(result.StatusCode);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_with_the_tls_reason()
    {
        var result = await origins.Prober.ProbeAsync(Spec(origins.HttpsBase + "/ok"), CancellationToken.None);
        Assert.False(result.Success);
        Assert.StartsWith("TLS: ", result.Error);
        Assert.DoesNotContain("inner exception", result.Error);
        Assert.Null(result.StatusCode);
    }

    [Fact]
    public async Task Concurrent_probes_share_the_prober()
    {
        var spec = Spec(origins.HttpBase + "/ok", i => i.BodyContains = "heck");
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => origins.Prober.ProbeAsync(spec, CancellationToken.None)));
        Assert.All(results, r => Assert.True(r.Success, r.Error));
    }

    [Fact]
    public void Request_errors_are_named_by_kind()
    {
        Assert.Equal("DNS: Name or service not known (nope.invalid:80)", HttpProber.Describe(
            HttpRequestError.NameResolutionError, new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (nope.invalid:80)")));
        var tls = new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established, see inner exception.",
            new AuthenticationException("The remote certificate was rejected", new Exception("certificate has expired")));
        Assert.Equal("TLS: certificate has expired", HttpProber.Describe(tls.HttpRequestError, tls));
        Assert.Equal("connection closed before the response ended", HttpProber.Describe(HttpRequestError.ResponseEnded, new HttpIOException(HttpRequestError.ResponseEnded)));
    }
}

public sealed class TcpProberTests
{
    private static OriginSpec Spec(string url, int timeoutMs = 5000) => HttpProberTests.Spec(url, i => i.TimeoutMs = timeoutMs);

    private static async Task<ProbeResult> Probe(string url, int timeoutMs = 5000)
    {
        using var prober = new OriginProber(TimeProvider.System);
        return await prober.ProbeAsync(Spec(url, timeoutMs), CancellationToken.None);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")] // resolved from the hosts file, never over the network
    public async Task A_listening_port_succeeds(string host)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var result = await Probe($"tcp://{host}:{((IPEndPoint)listener.LocalEndpoint).Port}");
        Assert.Equal(new ProbeResult(true, result.LatencyMs, null, null), result);
        Assert.InRange(result.LatencyMs, 0, 5000);
    }

    [Fact]
    public async Task A_refused_port_fails()
    {
        var result = await Probe($"tcp://127.0.0.1:{Ports.Refusing()}");
        Assert.Equal(new ProbeResult(false, result.LatencyMs, null, "connection refused"), result);
    }

    [Fact]
    public async Task A_port_that_never_answers_times_out()
    {
        // A listener with a full accept queue drops further connection attempts (Linux and macOS), so they hang.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(backlog: 1);
        var url = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        using var prober = new OriginProber(TimeProvider.System);
        var results = new List<ProbeResult>();
        for (var i = 0; i < 8 && (results.Count == 0 || results[^1].Success); i++)
            results.Add(await prober.ProbeAsync(Spec(url, timeoutMs: 150), CancellationToken.None));
        Assert.Equal("timeout after 150 ms", results[^1].Error);
        Assert.True(results[^1].LatencyMs >= 140, $"latency {results[^1].LatencyMs} ms");
    }

    [Fact]
    public async Task The_callers_cancellation_is_thrown()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var prober = new OriginProber(TimeProvider.System);
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            prober.ProbeAsync(Spec($"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"), new CancellationToken(canceled: true)));
        Assert.True(ex.CancellationToken.IsCancellationRequested);
    }

    [Fact]
    public void Socket_errors_are_named_by_kind()
    {
        Assert.Equal("connection refused", TcpProber.Describe(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.StartsWith("DNS: ", TcpProber.Describe(new SocketException((int)SocketError.HostNotFound)));
        Assert.StartsWith("connection failed: ", TcpProber.Describe(new SocketException((int)SocketError.AccessDenied)));
    }
}

internal static class Ports
{
    /// <summary>A loopback port that was just free, so a connection to it is refused.</summary>
    public static int Refusing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
