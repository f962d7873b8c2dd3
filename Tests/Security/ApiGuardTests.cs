using Heck.Silo;
using Heck.Silo.Configuration;
using Microsoft.Extensions.Logging;

namespace Heck.Tests.Security;

/// <summary>A silo with tokens that allows 3 refused authentications per address and window.</summary>
public sealed class LimitedSilo : IAsyncLifetime
{
    public InProcessSilo Silo { get; private set; } = null!;
    public string Api => $"http://127.0.0.1:{Silo.HttpPort}";

    public async Task InitializeAsync() =>
        Silo = await InProcessSilo.StartAsync(extraArgs: [.. ApiClients.TokenArgs(), "--Heck:Api:FailedAuthLimit=3", "--Heck:Api:FailedAuthWindowSeconds=3600"]);

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>The failed-attempt limit, the Host filter and the refuse-to-start rule.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class ApiGuardTests(LimitedSilo fixture) : IClassFixture<LimitedSilo>
{
    [Fact]
    public async Task After_the_limit_of_refusals_an_address_gets_429_for_bad_or_no_token_but_a_valid_token_still_works()
    {
        // Its own source address: the other tests of this class stay under the limit.
        using var bad = ApiClients.Create(fixture.Api, "guess-1", source: "127.0.0.77");
        using var none = ApiClients.Create(fixture.Api, null, source: "127.0.0.77");
        using var good = ApiClients.Create(fixture.Api, ApiClients.ReadToken, source: "127.0.0.77");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("/api/origins")).StatusCode);
        using var limited = await bad.GetAsync("/api/origins");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await none.GetAsync("/api/origins")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/api/origins")).StatusCode);
        // Another address is not limited, and /healthz needs no token.
        using var other = ApiClients.Create(fixture.Api, "guess-2", source: "127.0.0.78");
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/origins")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await none.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_request_for_another_host_name_is_refused_with_421_before_authentication()
    {
        using var http = ApiClients.Create(fixture.Api, ApiClients.AdminToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/origins");
        request.Headers.Host = "evil.example";
        using var refused = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("evil.example", problem.GetProperty("detail").GetString());
        Assert.Contains("Heck:Http:AllowedHosts", problem.GetProperty("detail").GetString());

        using var healthz = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { Host = $"evil.example:{fixture.Silo.HttpPort}" } };
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await http.SendAsync(healthz)).StatusCode);
        foreach (var host in new[] { "localhost", $"localhost:{fixture.Silo.HttpPort}", "127.0.5.9", "[::1]" })
        {
            using var allowed = new HttpRequestMessage(HttpMethod.Get, "/api/origins") { Headers = { Host = host } };
            Assert.True((await http.SendAsync(allowed)).StatusCode == HttpStatusCode.OK, host);
        }
    }

    [Fact]
    public void A_silo_listening_beyond_loopback_without_tokens_refuses_to_build_and_AllowAnonymous_warns()
    {
        using var data = new TempDirectory();
        string[] args = [$"--Heck:Storage:Path={data.Path}", "--Heck:Http:ListenAddress=0.0.0.0"];
        var refused = Assert.Throws<HeckConfigurationException>(() => HeckHost.Build(args, b => b.Logging.ClearProviders()));
        var error = Assert.Single(refused.Errors);
        Assert.Contains("Heck:Api:Tokens", error);
        Assert.Contains("Heck:Api:AllowAnonymous", error);

        // Built only, never started: nothing listens on 0.0.0.0.
        var log = new Heck.Tests.AdoNet.WarningLog();
        var app = HeckHost.Build([.. args, "--Heck:Api:AllowAnonymous=true"], b =>
        {
            b.Logging.ClearProviders();
            b.Logging.AddProvider(log);
        });
        ((IDisposable)app).Dispose();
        Assert.Contains("Heck:Api:AllowAnonymous=true", log.ToString());
        Assert.Contains("Warning", log.ToString());
    }
}
