using System.Text;
using Heck.Tests.Fuzzing;

namespace Heck.Tests.Api;

/// <summary>
/// Input that once got a 500 (found by hand and by <see cref="ApiFuzzTests"/>): each is a 4xx with a problem
/// body, and the origin that was there is unchanged.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class BadInputApiTests : IAsyncLifetime
{
    private InProcessSilo _silo = null!;
    private string _before = "";

    public async Task InitializeAsync()
    {
        _silo = await InProcessSilo.StartAsync();
        using var put = await _silo.Http.PutAsync("/api/origins/a", Json("""{"url":"http://127.0.0.1:9/","intervalMs":86400000}"""));
        put.EnsureSuccessStatusCode();
        _before = await StateAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private static StringContent Json(string json, string type = "application/json") => new(json, Encoding.UTF8, type);

    private async Task<string> StateAsync()
    {
        using var get = await _silo.Http.GetAsync("/api/origins/a");
        var list = await _silo.GetJsonAsync("/api/origins");
        return $"{get.Headers.ETag} {string.Join(",", list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()))}";
    }

    private async Task AssertUnchangedAsync() => Assert.Equal(_before, await StateAsync());

    private static void AssertProblem(RawResponse response, int status, string field)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.End} {response.Status}: {response.BodyText}");
        Assert.StartsWith("application/problem+json", response.ContentType);
        var problem = JsonSerializer.Deserialize<JsonElement>(response.Body);
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"problem should name '{field}': {response.BodyText}");
    }

    private static byte[] Request(string method, string path, string type, string headersAndBody) =>
        Encoding.Latin1.GetBytes($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {type}\r\n{headersAndBody}");

    [Theory]
    [InlineData("PUT", "application/json")]
    [InlineData("PATCH", "application/merge-patch+json")]
    public async Task A_malformed_chunk_size_is_400(string method, string type)
    {
        var response = await RawHttp.SendAsync(_silo.HttpPort,
            Request(method, "/api/origins/a", type, "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), TimeSpan.FromSeconds(20), keepSending: true);
        AssertProblem(response, 400, "body");
        await AssertUnchangedAsync();
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_408()
    {
        // Headers, then nothing: Kestrel's minimum body data rate (after its 5 s grace) ends the read.
        var response = await RawHttp.SendAsync(_silo.HttpPort,
            Request("PUT", "/api/origins/a", "application/json", "Content-Length: 100\r\n\r\n{\"url\":"), TimeSpan.FromSeconds(30), keepSending: true);
        AssertProblem(response, 408, "body");
        await AssertUnchangedAsync();
    }

    [Theory]
    [InlineData("""{"expectStatus":"\ud800"}""", "expectStatus")]
    [InlineData("""{"headers":{"X-A":"\udc00x"}}""", "headers.X-A")]
    [InlineData("""{"headers":{"\ud800":"x"}}""", "headers")]
    [InlineData("""{"intervalMs":1000,"intervalMs":2000}""", "intervalMs")]
    [InlineData("""{"headers":{"a":"1","a":"2"}}""", "headers.a")]
    [InlineData("""{"url":"http://127.0.0.1:9/","url":null}""", "url")]
    public async Task A_patch_with_a_lone_surrogate_or_a_repeated_key_is_400_naming_the_field(string patch, string field)
    {
        using var response = await _silo.Http.PatchAsync("/api/origins/a", Json(patch, "application/merge-patch+json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.True(JsonSerializer.Deserialize<JsonElement>(text).GetProperty("errors").TryGetProperty(field, out _), text);
        await AssertUnchangedAsync();
    }

    [Theory]
    [InlineData("""{"url":"http://127.0.0.1:9/","expectStatus":"\ud800"}""", "expectStatus")]
    [InlineData("""{"url":"http://127.0.0.1:9/","expectStatus":["\ud800"]}""", "expectStatus")]
    [InlineData("""{"url":"http://127.0.0.1:9/","headers":{"X-A\n":"b"}}""", "headers.X-A\n")]
    [InlineData("""{"url":"http://127.0.0.1:9/","headers":{"X-A":"\ud800"}}""", "headers.X-A")]
    public async Task A_put_with_a_lone_surrogate_or_a_bad_header_name_is_400_naming_the_field(string body, string field)
    {
        using var response = await _silo.Http.PutAsync("/api/origins/a", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.True(JsonSerializer.Deserialize<JsonElement>(text).GetProperty("errors").TryGetProperty(field, out _), text);
        await AssertUnchangedAsync();
    }

    [Theory]
    [InlineData("intervalMs")]
    [InlineData("method")]
    [InlineData("headers")]
    public async Task A_string_of_bytes_that_are_not_utf8_is_400_naming_the_field(string field)
    {
        // Found by ApiFuzzTests: describing the wrong-typed value asked System.Text.Json for text it cannot transcode.
        var body = Encoding.UTF8.GetBytes($"{{\"url\":\"http://127.0.0.1:9/\",\"{field}\":\"x").Concat(new byte[] { 0xC0, 0xAF }).Concat("\"}"u8.ToArray()).ToArray();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await _silo.Http.PutAsync("/api/origins/a", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.True(JsonSerializer.Deserialize<JsonElement>(text).GetProperty("errors").TryGetProperty(field, out _), text);
        await AssertUnchangedAsync();
    }

    [Theory]
    [InlineData("abc%0A")]
    [InlineData("a%0A")]
    [InlineData("a%0D%0A")]
    public async Task An_id_with_a_trailing_newline_is_400_and_stores_nothing(string id)
    {
        using var response = await _silo.Http.PutAsync($"/api/origins/{id}", Json("""{"url":"http://127.0.0.1:9/"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertUnchangedAsync();
    }
}
