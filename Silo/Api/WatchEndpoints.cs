using System.Text;
using System.Text.Json;
using Heck.Api;
using Heck.Grains.Replica;
using Heck.Health;
using Heck.Origins;
using Heck.Silo.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Heck.Silo.Api;

/// <summary>
/// <c>GET /api/watch</c>: this silo's transitions as server-sent events, in the order its
/// <see cref="TransitionLog"/> holds them (per origin, causal order). Each event is one transition
/// document with its stamp and an <c>id:</c> (<see cref="WatchEventId"/>); a client that reconnects with
/// <c>Last-Event-ID</c> continues right after it. When the silo no longer keeps that point (the ring moved
/// on, or the id is of another silo or run), <c>event: reset</c> comes first and the stream goes on from
/// the oldest kept: the client should read the state again. Without <c>Last-Event-ID</c> only what
/// happens from now on is sent.
/// </summary>
public static class WatchEndpoints
{
    /// <summary>A comment this often keeps proxies and idle timeouts from closing a quiet stream.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private const int PageSize = 256;
    private const string LastEventIdHeader = "Last-Event-ID";

    public static void MapWatchEndpoints(this IEndpointRouteBuilder app) => app.MapGet("/api/watch", WatchAsync).RequireScope(ApiScope.Read);

    private static async Task<IResult> WatchAsync(HttpContext context, LocalReplica replica, IHostApplicationLifetime lifetime,
        IOptions<JsonOptions> json, TimeProvider time)
    {
        var request = context.Request;
        var errors = new List<FieldError>();
        var origin = request.Query["origin"];
        if (origin.Count > 1) errors.Add(new("origin", "must be given at most once"));
        else if (origin.Count == 1 && OriginValidator.CheckId(origin[0]) is { } idError) errors.Add(idError with { Field = "origin" });
        var statuses = StatusQuery.Parse(request.Query["status"], out var statusError);
        if (statusError is not null) errors.Add(statusError);
        if (errors.Count > 0) return Problems.InvalidQuery(errors);

        var log = replica.Transitions;
        var after = log.Last; // from now on
        var header = request.Headers[LastEventIdHeader];
        if (header.Count > 0)
        {
            if (header.Count > 1 || !WatchEventId.TryParse(header[0], out var last)) return BadLastEventId(header.ToString());
            // A number of another log cannot be placed in this one: beyond the newest reads as a gap.
            after = last.Generation == log.Generation ? last.Sequence : long.MaxValue;
        }

        var originId = origin.Count == 1 ? origin[0] : null;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // a proxy must pass events on at once
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var text = new StringBuilder();
        try
        {
            // Headers out at once: the client knows the watch runs before anything happens.
            await WriteAsync(response, text.Append(": watching\n\n"), ct);
            while (!ct.IsCancellationRequested)
            {
                var read = log.Read(after, PageSize);
                if (read.Gap)
                {
                    var from = read.Events.Count > 0 ? read.Events[0].Sequence - 1 : read.Next;
                    text.Append("event: reset\nid: ").Append(new WatchEventId(log.Generation, from))
                        .Append("\ndata: {\"reason\":\"this silo no longer keeps the transitions after the given Last-Event-ID; read the state again\"}\n\n");
                }
                foreach (var e in read.Events)
                {
                    if (originId is not null && e.OriginId != originId) continue;
                    if (statuses is not null && !statuses.Contains(e.Transition.To)) continue;
                    text.Append("id: ").Append(new WatchEventId(log.Generation, e.Sequence)).Append("\ndata: ")
                        .Append(JsonSerializer.Serialize(TransitionItemDocument.Of(e.OriginId, e.Transition, e.Stamp), json.Value.SerializerOptions))
                        .Append("\n\n");
                }
                after = read.Next;
                if (text.Length > 0) await WriteAsync(response, text, ct);
                if (read.Events.Count == PageSize) continue;
                try
                {
                    await log.WaitAsync(after, ct).WaitAsync(KeepAlive, time, ct);
                }
                catch (TimeoutException)
                {
                    await WriteAsync(response, text.Append(": keep-alive\n\n"), ct);
                }
            }
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client went away or the silo stops: the stream just ends.
        }
        return Results.Empty;
    }

    private static async Task WriteAsync(HttpResponse response, StringBuilder text, CancellationToken ct)
    {
        await response.WriteAsync(text.ToString(), ct);
        await response.Body.FlushAsync(ct);
        text.Clear();
    }

    private static IResult BadLastEventId(string value) =>
        Results.ValidationProblem(
            new Dictionary<string, string[]> { [LastEventIdHeader] = [$"must be the id of an event of this stream, <log>-<number> (was \"{value}\")"] },
            title: "The Last-Event-ID header is invalid.",
            type: "https://heck.dev/problems/invalid-header");
}
