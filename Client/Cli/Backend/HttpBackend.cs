using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Heck.Api;
using Heck.Client.Sdk;
using Heck.Health;
using Heck.Origins;

namespace Heck.Client.Cli.Backend;

/// <summary>The HTTP API as <see cref="IHeckBackend"/>: no Orleans assembly is loaded on this path.</summary>
internal sealed class HttpBackend : IHeckBackend
{
    public static readonly TimeSpan WatchPollInterval = TimeSpan.FromMilliseconds(500);
    private readonly HttpClient _http;
    private readonly TimeSpan _connectTimeout;

    public HttpBackend(Uri api, TimeSpan connectTimeout)
    {
        _connectTimeout = connectTimeout;
        Target = api.GetLeftPart(UriPartial.Path).TrimEnd('/');
        // No proxy: the API is on the cluster's network, and looking up proxy settings costs start-up time.
        var handler = new SocketsHttpHandler { ConnectTimeout = connectTimeout, UseProxy = false };
        _http = new HttpClient(handler) { BaseAddress = new Uri(Target + "/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Target { get; }

    public async Task<IReadOnlyList<OriginDocument>> ListAsync(HealthStatus? status, CancellationToken ct)
    {
        var path = status is { } s ? $"api/origins?status={Render.Status(s)}" : "api/origins";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);
        await EnsureSuccessAsync(response, ct);
        return (await ReadAsync<OriginListDocument>(response, ct)).Items;
    }

    public async Task<(OriginDocument Origin, string? ETag)?> GetAsync(string id, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, OriginPath(id)), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, ct);
        return (await ReadAsync<OriginDocument>(response, ct), response.Headers.ETag?.ToString());
    }

    public async Task<(bool Created, OriginDocument Origin)> PutAsync(string id, OriginInput input, bool createOnly, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, OriginPath(id))
        {
            Content = new StringContent(JsonSerializer.Serialize(input, CliJson.Lines), Encoding.UTF8, "application/json"),
        };
        if (createOnly) request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        using var response = await SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        return (response.StatusCode == HttpStatusCode.Created, await ReadAsync<OriginDocument>(response, ct));
    }

    public async Task<OriginDocument?> PatchAsync(string id, JsonObject patch, string? ifMatch, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, OriginPath(id))
        {
            Content = new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var response = await SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync<OriginDocument>(response, ct);
    }

    public async Task<bool> RemoveAsync(string id, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, OriginPath(id)), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureSuccessAsync(response, ct);
        return true;
    }

    public async Task<IReadOnlyList<TransitionDocument>?> TransitionsAsync(string id, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, OriginPath(id) + "/transitions"), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, ct);
        return (await ReadAsync<TransitionsDocument>(response, ct)).Items;
    }

    public async Task<IReadOnlyList<MemberDocument>> MembersAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/cluster/members"), ct);
        await EnsureSuccessAsync(response, ct);
        return (await ReadAsync<MembersDocument>(response, ct)).Members;
    }

    /// <summary>
    /// The API has no transition stream: the origins are listed every <see cref="WatchPollInterval"/>, and the
    /// transitions of one whose status or since changed are read, those after the last one seen printed.
    /// </summary>
    public async Task<(int Origins, IAsyncEnumerable<WatchEvent> Events)> WatchAsync(string? originId, CancellationToken ct)
    {
        var start = Snapshot(await ListAsync(null, ct), originId);
        if (originId is not null && !start.ContainsKey(originId))
            throw new ApiRefusedException(404, $"origin '{originId}' not found");
        return (start.Count, Poll(start, originId, ct));
    }

    private async IAsyncEnumerable<WatchEvent> Poll(Dictionary<string, (HealthStatus Status, DateTimeOffset Since)> seen, string? originId,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var lastAt = seen.ToDictionary(s => s.Key, s => s.Value.Since);
        while (true)
        {
            await Task.Delay(WatchPollInterval, ct);
            var now = Snapshot(await ListAsync(null, ct), originId);
            foreach (var (id, state) in now)
            {
                if (seen.TryGetValue(id, out var before) && before == state) continue;
                var after = lastAt.GetValueOrDefault(id, DateTimeOffset.MinValue);
                foreach (var t in await TransitionsAsync(id, ct) ?? [])
                {
                    if (t.At <= after) continue;
                    lastAt[id] = t.At;
                    yield return new WatchEvent(null, id, t);
                }
            }
            seen = now;
        }
    }

    private static Dictionary<string, (HealthStatus, DateTimeOffset)> Snapshot(IReadOnlyList<OriginDocument> origins, string? originId) =>
        origins.Where(o => originId is null || o.Id == originId).ToDictionary(o => o.Id, o => (o.Health.Status, o.Health.Since));

    private static string OriginPath(string id) => "api/origins/" + Uri.EscapeDataString(id);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, ct);
            }
            catch (HttpRequestException ex) when (!ct.IsCancellationRequested)
            {
                throw new HeckConnectionException([Target], $"Cannot connect to {Target}: {Reason(ex)}", ex);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                var what = ex.InnerException is TimeoutException && ex.Message.Contains("connect", StringComparison.OrdinalIgnoreCase)
                    ? $"no connection within {_connectTimeout.TotalMilliseconds:0} ms"
                    : $"no answer within {_http.Timeout.TotalSeconds:0} s";
                throw new HeckConnectionException([Target], $"Cannot connect to {Target}: {what}", ex);
            }
        }
    }

    private string Reason(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } s => $"cannot resolve the host ({s.Message})",
        SocketException s => s.Message,
        TimeoutException => $"no connection within {_connectTimeout.TotalMilliseconds:0} ms",
        _ => ex.HttpRequestError == HttpRequestError.ConnectionError ? ex.Message : $"{ex.Message}",
    };

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        return await JsonSerializer.DeserializeAsync<T>(stream, CliJson.Options, ct)
            ?? throw new ApiRefusedException((int)response.StatusCode, $"the API answered {(int)response.StatusCode} with an empty body");
    }

    /// <summary>Turns an error answer into the exception the CLI reports: field errors (400), or the problem's words.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var status = (int)response.StatusCode;
        JsonElement problem = default;
        try
        {
            problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        }
        catch (JsonException)
        {
            // Not a problem body (a proxy's page, say): the status says enough.
        }
        string? Text(string name) => problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        if (status == 400 && problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            var fieldErrors = new List<FieldError>();
            foreach (var field in errors.EnumerateObject())
            {
                foreach (var message in field.Value.EnumerateArray()) fieldErrors.Add(new(field.Name, message.GetString() ?? ""));
            }
            throw new HeckValidationException(fieldErrors);
        }
        var text = Text("detail") ?? Text("title") ?? response.ReasonPhrase ?? "error";
        throw new ApiRefusedException(status, status == 503 ? $"the cluster could not take the call right now ({text}); retry shortly" : text);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
