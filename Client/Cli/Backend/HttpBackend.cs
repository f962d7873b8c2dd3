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
    public static readonly TimeSpan WatchReconnectDelay = TimeSpan.FromMilliseconds(500);
    private readonly HttpClient _http;
    private readonly TimeSpan _connectTimeout;

    public HttpBackend(Uri api, TimeSpan connectTimeout, string? token = null)
    {
        _connectTimeout = connectTimeout;
        Target = api.GetLeftPart(UriPartial.Path).TrimEnd('/');
        // No proxy: the API is on the cluster's network, and looking up proxy settings costs start-up time.
        var handler = new SocketsHttpHandler { ConnectTimeout = connectTimeout, UseProxy = false };
        _http = new HttpClient(handler) { BaseAddress = new Uri(Target + "/"), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
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
    /// Reads <c>GET /api/watch</c> (server-sent events), so the order is the silo's feed order, as over a
    /// gateway. A stream that ends (a proxy's idle timeout, say) is opened again with the last event's id:
    /// nothing is lost or repeated while the silo keeps that history.
    /// </summary>
    public async Task<(int Origins, IAsyncEnumerable<WatchEvent> Events)> WatchAsync(string? originId, CancellationToken ct)
    {
        var origins = await ListAsync(null, ct);
        var count = originId is null ? origins.Count : origins.Count(o => o.Id == originId);
        if (originId is not null && count == 0) throw new ApiRefusedException(404, $"origin '{originId}' not found");
        // Open before returning: what happens once "Watching …" is printed is seen.
        var response = await OpenWatchAsync(originId, null, ct);
        return (count, ReadWatch(response, originId, ct));
    }

    private async Task<HttpResponseMessage> OpenWatchAsync(string? originId, string? lastEventId, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, originId is null ? "api/watch" : "api/watch?origin=" + Uri.EscapeDataString(originId));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        var response = await SendAsync(request, ct, HttpCompletionOption.ResponseHeadersRead);
        try
        {
            await EnsureSuccessAsync(response, ct);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async IAsyncEnumerable<WatchEvent> ReadWatch(HttpResponseMessage response, string? originId, [EnumeratorCancellation] CancellationToken ct)
    {
        string? lastId = null;
        while (true)
        {
            using (response)
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                string? type = null, id = null, data = null;
                while (await ReadLineAsync(reader, ct) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (id is not null) lastId = id;
                        if (type is null && data is not null && JsonSerializer.Deserialize<WatchItem>(data, CliJson.Options) is { } t)
                            yield return new WatchEvent(Sequence(id), t.OriginId, new TransitionDocument(t.At, t.From, t.To, t.Reason));
                        (type, id, data) = (null, null, null);
                        continue;
                    }
                    var colon = line.IndexOf(':');
                    if (colon == 0) continue; // a keep-alive comment
                    var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                    switch (field)
                    {
                        case "event": type = value; break;
                        case "id": id = value; break;
                        case "data": data = data is null ? value : data + "\n" + value; break;
                    }
                }
            }
            // The stream ended without Ctrl-C: open it again from the last event seen, after a pause.
            await Task.Delay(WatchReconnectDelay, ct);
            response = await OpenWatchAsync(originId, lastId, ct);
        }
    }

    /// <summary>A line of the stream; null at its end, also when the connection broke.</summary>
    private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
    {
        try
        {
            return await reader.ReadLineAsync(ct);
        }
        catch (IOException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        catch (HttpRequestException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static long? Sequence(string? id) =>
        id is not null && long.TryParse(id.AsSpan(id.LastIndexOf('-') + 1), out var n) ? n : null;

    /// <summary>The transition document of a watch event; its stamp is not shown.</summary>
    private sealed record WatchItem(string OriginId, DateTimeOffset At, HealthStatus From, HealthStatus To, string Reason);

    private static string OriginPath(string id) => "api/origins/" + Uri.EscapeDataString(id);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, completion, ct);
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
        if (status == 401)
            throw new ApiRefusedException(status, $"the API refused the call without a valid token ({text}); give one with --token, ${GlobalOptions.TokenVariable} or the context's token");
        if (status == 403)
            throw new ApiRefusedException(status, $"the API refused the call: the token lacks the scope it needs ({text})");
        throw new ApiRefusedException(status, status == 503 ? $"the cluster could not take the call right now ({text}); retry shortly" : text);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
