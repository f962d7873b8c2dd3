using System.Text;
using Heck.Silo.Api;

namespace Heck.Tests.Api;

/// <summary>Causal tokens and read levels on one real silo host: headers, the 400s and the 503.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class CausalReadApiTests : IAsyncLifetime
{
    private const int WaitMs = 300;
    private InProcessSilo _silo = null!;

    // A write of a silo this one has never heard of: it never arrives.
    private static readonly CausalToken Foreign = CausalToken.Of(new Dot(new ReplicaId("127.0.0.9:1", 5), 3));

    public async Task InitializeAsync() => _silo = await InProcessSilo.StartAsync(extraArgs: [$"--Heck:Reads:CausalWaitMs={WaitMs}"]);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, HttpContent? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body };
        if (token is not null) request.Headers.TryAddWithoutValidation(CausalToken.Header, token);
        return _silo.Http.SendAsync(request);
    }

    private Task<HttpResponseMessage> PutAsync(string id, string? token = null) =>
        SendAsync(HttpMethod.Put, $"/api/origins/{id}", token, JsonContent.Create(new { url = "tcp://127.0.0.1:9", intervalMs = 60_000 }));

    private static CausalToken TokenOf(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues(CausalToken.Header, out var values), $"{response.RequestMessage!.Method} answered no {CausalToken.Header}");
        Assert.True(CausalToken.TryDecode(values.Single(), out var token));
        Assert.False(token.IsEmpty);
        return token;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private static async Task AssertBadRequestNamingAsync(HttpResponseMessage response, string name)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(name, out _), problem.ToString());
    }

    [Fact]
    public async Task Every_write_answers_a_token_that_grows_with_the_session_and_token_reads_answer_the_wait()
    {
        using var put = await PutAsync("a");
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var first = TokenOf(put);

        using var patch = await SendAsync(HttpMethod.Patch, "/api/origins/a", first.Encode(),
            new StringContent("""{"intervalMs": 30000}""", Encoding.UTF8, OriginPatchEndpoint.MediaType));
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var second = TokenOf(patch);
        Assert.True(second.Vector.Includes(first.Vector)); // the request's token is merged in
        Assert.NotEqual(first, second);

        using (var put2 = await PutAsync("b", second.Encode()))
            Assert.True(TokenOf(put2).Vector.Includes(second.Vector));

        foreach (var path in new[] { "/api/origins/a", "/api/origins", "/api/origins/a/transitions", "/api/origins/a?consistency=causal" })
        {
            using var read = await SendAsync(HttpMethod.Get, path, second.Encode());
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("0", Header(read, CausalReads.WaitHeader)); // this silo made the writes: nothing to wait for
            Assert.True(TokenOf(read).Vector.Includes(second.Vector));
        }
        using (var read = await SendAsync(HttpMethod.Get, "/api/origins/a", second.Encode()))
            Assert.Equal(30_000, (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("intervalMs").GetInt32());

        using var delete = await SendAsync(HttpMethod.Delete, "/api/origins/a", second.Encode());
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var third = TokenOf(delete);
        Assert.True(third.Vector.Includes(second.Vector));
        using (var gone = await SendAsync(HttpMethod.Get, "/api/origins/a", third.Encode()))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        // No token, no wait header.
        using (var plain = await SendAsync(HttpMethod.Get, "/api/origins/b"))
            Assert.Null(Header(plain, CausalReads.WaitHeader));
    }

    [Fact]
    public async Task A_token_this_silo_cannot_cover_in_time_answers_503_naming_what_it_lacks()
    {
        (await PutAsync("c")).Dispose();
        foreach (var path in new[] { "/api/origins/c", "/api/origins", "/api/origins/c/transitions" })
        {
            using var read = await SendAsync(HttpMethod.Get, path, Foreign.Encode());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
            Assert.NotNull(read.Headers.RetryAfter);
            var waited = long.Parse(Header(read, CausalReads.WaitHeader)!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(waited >= WaitMs, $"waited {waited} ms");
            var problem = await read.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(CausalReads.NotCoveredType, problem.GetProperty("type").GetString());
            Assert.Equal(waited, problem.GetProperty("waitedMs").GetInt64());
            Assert.Equal(["127.0.0.9:1@5#3"], problem.GetProperty("lacking").EnumerateArray().Select(e => e.GetString()));
        }
        // A local read ignores the token: immediate, and says it did not wait.
        using var local = await SendAsync(HttpMethod.Get, "/api/origins/c?consistency=local", Foreign.Encode());
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        Assert.Equal("0", Header(local, CausalReads.WaitHeader));
    }

    [Fact]
    public async Task Bad_tokens_and_levels_are_400s_naming_the_header_or_the_parameter()
    {
        (await PutAsync("d")).Dispose();
        foreach (var path in new[] { "/api/origins/d", "/api/origins", "/api/origins/d/transitions" })
        {
            foreach (var bad in new[] { "not a token", "AQA=", Foreign.Encode() + "A" })
                await AssertBadRequestNamingAsync(await SendAsync(HttpMethod.Get, path, bad), CausalToken.Header);
            var sep = path.Contains('?') ? '&' : '?';
            await AssertBadRequestNamingAsync(await SendAsync(HttpMethod.Get, $"{path}{sep}consistency=strong"), ReadLevels.QueryName);
            await AssertBadRequestNamingAsync(await SendAsync(HttpMethod.Get, $"{path}{sep}consistency=causal"), CausalToken.Header);
        }
        // A write with a malformed token is refused before anything is written.
        await AssertBadRequestNamingAsync(await PutAsync("bad-token", "not a token"), CausalToken.Header);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/api/origins/bad-token")).StatusCode);
        await AssertBadRequestNamingAsync(await SendAsync(HttpMethod.Patch, "/api/origins/d", "AQA=",
            new StringContent("""{"intervalMs":5000}""", System.Text.Encoding.UTF8, "application/merge-patch+json")), CausalToken.Header);
        await AssertBadRequestNamingAsync(await SendAsync(HttpMethod.Delete, "/api/origins/d", "not a token"), CausalToken.Header);
        var kept = await (await SendAsync(HttpMethod.Get, "/api/origins/d")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(60_000, kept.GetProperty("intervalMs").GetInt32());
        await AssertBadRequestNamingAsync(await SendAsync(HttpMethod.Get, "/api/origins?consistency=owner"), ReadLevels.QueryName);
        await AssertBadRequestNamingAsync(await SendAsync(HttpMethod.Get, "/api/origins/d/transitions?consistency=owner"), ReadLevels.QueryName);
    }

    [Fact]
    public async Task An_owner_read_asks_the_owning_grain_and_answers_its_token()
    {
        using var put = await PutAsync("e");
        var written = TokenOf(put);
        using var owned = await SendAsync(HttpMethod.Get, "/api/origins/e?consistency=owner");
        Assert.Equal(HttpStatusCode.OK, owned.StatusCode);
        Assert.Equal("e", (await owned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        Assert.Equal(written, TokenOf(owned));
        using var missing = await SendAsync(HttpMethod.Get, "/api/origins/nobody?consistency=owner");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
