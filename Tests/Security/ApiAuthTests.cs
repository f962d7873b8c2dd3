using System.Net.Http.Headers;
using System.Text;
using Heck.Silo.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Heck.Tests.Security;

/// <summary>A silo with read, write and admin tokens; failed attempts effectively unlimited so the matrix is not cut short.</summary>
public sealed class TokenSilo : IAsyncLifetime
{
    public InProcessSilo Silo { get; private set; } = null!;
    public string Api => $"http://127.0.0.1:{Silo.HttpPort}";

    public async Task InitializeAsync() =>
        Silo = await InProcessSilo.StartAsync(extraArgs: [.. ApiClients.TokenArgs(), "--Heck:Api:FailedAuthLimit=1000000"]);

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>
/// Every endpoint of the API, enumerated from the app's <see cref="EndpointDataSource"/>, declares who may call it, and
/// each one is called with no token, a bad token, a token one scope too low and the right token.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class ApiAuthTests(TokenSilo fixture) : IClassFixture<TokenSilo>
{
    private const string Probe = "auth-probe";

    private sealed record Call(string Method, string Path, ApiScope? Scope, string Display)
    {
        public override string ToString() => Display;
    }

    private IReadOnlyList<Call> Endpoints()
    {
        var calls = new List<Call>();
        foreach (var endpoint in fixture.Silo.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var access = endpoint.Metadata.GetMetadata<ApiAccess>();
            Assert.True(access is not null, $"{endpoint.DisplayName} declares no scope: add .RequireScope(ApiScope.…) or .AllowAnyCaller()");
            var path = "/" + string.Join("/", endpoint.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart => Probe,
                _ => "",
            }))));
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                calls.Add(new Call(method, path, access.Scope, $"{method} {path}"));
        }
        return calls;
    }

    private static HttpRequestMessage Request(Call call)
    {
        var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Path);
        if (call.Method == "PUT")
            request.Content = new StringContent("""{"url":"http://127.0.0.1:9/changed","intervalMs":86400001}""", Encoding.UTF8, "application/json");
        if (call.Method == "PATCH")
            request.Content = new StringContent("""{"intervalMs":86400002}""", Encoding.UTF8, "application/merge-patch+json");
        return request;
    }

    private async Task<(HttpStatusCode Status, HttpResponseMessage Response, JsonElement? Problem)> SendAsync(Call call, string? token)
    {
        using var http = ApiClients.Create(fixture.Api, token);
        // Headers only: /api/watch streams until the client goes.
        var response = await http.SendAsync(Request(call), HttpCompletionOption.ResponseHeadersRead);
        JsonElement? problem = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.Dispose();
        return (response.StatusCode, response, problem);
    }

    [Fact]
    public void Every_endpoint_declares_a_scope_and_healthz_alone_is_anonymous()
    {
        var calls = Endpoints();
        Assert.Contains(calls, c => c.Display == "PUT /api/origins/auth-probe" && c.Scope == ApiScope.Write);
        Assert.Contains(calls, c => c.Display == "GET /api/watch" && c.Scope == ApiScope.Read);
        Assert.Equal(["GET /healthz"], calls.Where(c => c.Scope is null).Select(c => c.Display));
        Assert.All(calls.Where(c => c.Method is "PUT" or "PATCH" or "DELETE"), c => Assert.Equal(ApiScope.Write, c.Scope));
        Assert.All(calls.Where(c => c.Method == "GET" && c.Scope is not null), c => Assert.Equal(ApiScope.Read, c.Scope));
    }

    [Fact]
    public async Task Every_endpoint_refuses_no_token_a_bad_token_and_a_lower_scope_and_serves_the_right_one_and_nothing_changes()
    {
        using (var admin = ApiClients.Create(fixture.Api, ApiClients.AdminToken))
            (await admin.PutAsJsonAsync($"/api/origins/{Probe}", new { url = "http://127.0.0.1:9/", intervalMs = 86_400_000 })).EnsureSuccessStatusCode();
        var before = await ProbeAsync();
        var calls = Endpoints();
        var checkedCases = 0;
        foreach (var call in calls)
        {
            var none = await SendAsync(call, null);
            if (call.Scope is not { } scope)
            {
                Assert.True(none.Status == HttpStatusCode.OK, $"{call} without a token: {none.Status}");
                continue;
            }
            Assert.True(none.Status == HttpStatusCode.Unauthorized, $"{call} without a token: {none.Status}");
            Assert.Equal("Bearer realm=\"heck\"", none.Response.Headers.WwwAuthenticate.ToString());
            Assert.Equal(401, none.Problem?.GetProperty("status").GetInt32());

            var bad = await SendAsync(call, "not-a-token-of-this-cluster");
            Assert.True(bad.Status == HttpStatusCode.Unauthorized, $"{call} with a bad token: {bad.Status}");
            Assert.Contains("error=\"invalid_token\"", bad.Response.Headers.WwwAuthenticate.ToString());
            Assert.NotNull(bad.Problem);
            checkedCases += 2;

            if (scope > ApiScope.Read)
            {
                var lower = await SendAsync(call, ApiClients.TokenOf(scope - 1));
                Assert.True(lower.Status == HttpStatusCode.Forbidden, $"{call} with a {scope - 1} token: {lower.Status}");
                Assert.Equal(403, lower.Problem?.GetProperty("status").GetInt32());
                Assert.Contains($"'{ApiScopes.Name(scope)}'", lower.Problem?.GetProperty("detail").GetString());
                checkedCases++;
            }
        }
        // Every refused PUT, PATCH and DELETE left the origin as it was.
        Assert.Equal(before, await ProbeAsync());

        foreach (var call in calls.Where(c => c.Scope is not null).OrderBy(c => c.Method == "DELETE"))
        {
            var right = await SendAsync(call, ApiClients.TokenOf(call.Scope!.Value));
            Assert.True(right.Status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests),
                $"{call} with a {call.Scope} token: {right.Status}");
            checkedCases++;
            // A higher scope implies the lower ones.
            if (call.Scope == ApiScope.Read && call.Path != "/api/watch")
                Assert.True((await SendAsync(call, ApiClients.AdminToken)).Status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden));
        }
        Assert.True(checkedCases >= 3 * calls.Count(c => c.Scope is not null), $"{checkedCases} cases");
    }

    /// <summary>The probe origin as the API shows it (its ETag and interval), read with the admin token.</summary>
    private async Task<string> ProbeAsync()
    {
        using var http = ApiClients.Create(fixture.Api, ApiClients.ReadToken);
        using var response = await http.GetAsync($"/api/origins/{Probe}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return $"{response.StatusCode} {response.Headers.ETag} {body.GetProperty("url")} {body.GetProperty("intervalMs")}";
    }

    [Fact]
    public async Task An_unknown_path_needs_a_token_too()
    {
        using var anonymous = ApiClients.Create(fixture.Api, null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/nothing-here")).StatusCode);
        using var admin = ApiClients.Create(fixture.Api, ApiClients.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/nothing-here")).StatusCode);
    }

    [Fact]
    public async Task A_malformed_Authorization_header_is_a_401_naming_it()
    {
        using var http = ApiClients.Create(fixture.Api, null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/origins");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Authorization", problem.GetProperty("detail").GetString());
        // The scheme's name is case-insensitive (RFC 9110).
        using var lower = new HttpRequestMessage(HttpMethod.Get, "/api/origins");
        lower.Headers.TryAddWithoutValidation("Authorization", "bearer " + ApiClients.ReadToken);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(lower)).StatusCode);
    }
}
