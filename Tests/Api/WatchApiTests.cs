using System.Text;
using Heck.Grains.Replica;

namespace Heck.Tests.Api;

/// <summary><c>GET /api/watch</c>: server-sent events from a real silo host, resumed with <c>Last-Event-ID</c>.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class WatchApiTests : IAsyncLifetime
{
    private InProcessSilo _silo = null!;
    private LocalReplica _replica = null!;

    public async Task InitializeAsync()
    {
        _silo = await InProcessSilo.StartAsync();
        _replica = _silo.Services.GetRequiredService<LocalReplica>();
        // Probed once a day at a closed port: the prober never reports degraded, so ?status=degraded sees only the test's.
        (await _silo.Http.PutAsJsonAsync("/api/origins/w", new { url = "http://127.0.0.1:9/", intervalMs = 86_400_000 })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private sealed record Event(string? Type, string? Id, string Data);

    /// <summary>An open stream, read event by event.</summary>
    private sealed class Stream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response => response;

        public async Task<Event> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            string? type = null, id = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length == 0 && type is null) continue; // a comment's end
                    return new Event(type, id, data.ToString());
                }
                if (line.StartsWith(':')) continue;
                var (field, value) = line.IndexOf(':') is var i and >= 0 ? (line[..i], line[(i + 1)..].TrimStart()) : (line, "");
                switch (field)
                {
                    case "event": type = value; break;
                    case "id": id = value; break;
                    case "data": data.Append(value); break;
                }
            }
            throw new EndOfStreamException("the stream ended");
        }

        public async Task<List<Event>> NextAsync(int count)
        {
            var events = new List<Event>();
            for (var i = 0; i < count; i++) events.Add(await NextAsync());
            return events;
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    private async Task<Stream> OpenAsync(string query = "?origin=w&status=degraded", string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/watch" + query);
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        var response = await _silo.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The stream says it runs before anything happens; after that line, what is recorded is sent.
        Assert.Equal(": watching", await reader.ReadLineAsync());
        return new Stream(response, reader);
    }

    private void Degrade(int n)
    {
        var at = DateTimeOffset.UtcNow;
        var view = new HealthView { Status = HealthStatus.Degraded, Since = at, LastProbeAt = at };
        _replica.RecordHealth("w", view, new HealthTransition(at, HealthStatus.Healthy, HealthStatus.Degraded, $"sse {n}"));
    }

    private static string Reason(Event e) => JsonDocument.Parse(e.Data).RootElement.GetProperty("reason").GetString()!;

    [Fact]
    public async Task A_reconnect_with_Last_Event_ID_loses_nothing_and_repeats_nothing()
    {
        string lastId;
        using (var stream = await OpenAsync())
        {
            Degrade(1);
            Degrade(2);
            var events = await stream.NextAsync(2);
            Assert.Equal(["sse 1", "sse 2"], events.Select(Reason));
            Assert.All(events, e => Assert.Null(e.Type));
            var stamp = JsonDocument.Parse(events[1].Data).RootElement.GetProperty("stamp");
            Assert.StartsWith($"127.0.0.1:{_silo.SiloPort}@", stamp.GetProperty("dot").GetProperty("replica").GetString());
            Assert.Equal("w", JsonDocument.Parse(events[1].Data).RootElement.GetProperty("originId").GetString());
            lastId = events[1].Id!;
        }

        // While nobody listens.
        Degrade(3);
        Degrade(4);
        using (var resumed = await OpenAsync(lastEventId: lastId))
        {
            Assert.Equal(["sse 3", "sse 4"], (await resumed.NextAsync(2)).Select(Reason));
            Degrade(5);
            var next = await resumed.NextAsync();
            Assert.Equal("sse 5", Reason(next));
            Assert.Null(next.Type);
        }
    }

    [Fact]
    public async Task An_id_this_silo_does_not_know_gets_a_reset_and_then_what_it_keeps()
    {
        Degrade(1);
        using var stream = await OpenAsync(lastEventId: "0123abcd-7");
        var reset = await stream.NextAsync();
        Assert.Equal("reset", reset.Type);
        Assert.NotNull(reset.Id);
        Assert.Equal("sse 1", Reason(await stream.NextAsync()));

        // The reset's id is a position of this log: resuming from it repeats nothing and needs no reset.
        stream.Dispose();
        using var again = await OpenAsync(lastEventId: reset.Id);
        Assert.Equal("sse 1", Reason(await again.NextAsync()));
    }

    [Fact]
    public async Task A_malformed_Last_Event_ID_or_query_gets_400_naming_it()
    {
        foreach (var (query, header, field) in new[]
                 {
                     ("", "nonsense", "Last-Event-ID"), ("", "abc-", "Last-Event-ID"), ("", "abc--1", "Last-Event-ID"),
                     ("?status=sideways", null, "status"), ("?origin=bad%20id", null, "origin"),
                 })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/watch" + query);
            if (header is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", header);
            using var response = await _silo.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query} {header}: {(int)response.StatusCode} {text}");
            Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        }
    }
}
