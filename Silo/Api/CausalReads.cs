using System.Globalization;
using Heck.Grains.Replica;
using Heck.Origins;
using Heck.Replication;

namespace Heck.Silo.Api;

/// <summary>
/// Session guarantees on the HTTP API. Every successful write answers <c>Heck-Causal-Token</c> (the written
/// entry's dot merged with the token the request sent); a read that sends it back is held, by an endpoint
/// filter in front of the read routes, until this silo's replica covers it (<see cref="CausalWait"/>), else
/// answered 503. <c>?consistency=local|causal|owner</c> picks the level (<see cref="ReadLevel"/>); a token
/// without the parameter means causal: a client that sends a token wants it honoured.
/// </summary>
public static class CausalReads
{
    /// <summary>On every read that carried a token: whole milliseconds it waited for this silo to cover it.</summary>
    public const string WaitHeader = "Heck-Causal-Wait-Ms";

    public const string NotCoveredType = "https://heck.dev/problems/causal-token-not-covered";

    private const string LevelKey = "heck.readLevel";

    /// <summary>Holds the route's reads to the levels in <paramref name="levels"/> (local and causal at least).</summary>
    public static RouteHandlerBuilder WithCausalReads(this RouteHandlerBuilder route, params ReadLevel[] levels) =>
        route.AddEndpointFilter(new Filter(levels));

    /// <summary>
    /// Refuses a write whose request carries a malformed token (400 naming the header) before anything is written:
    /// the client meant to continue a session, and the answer's token would silently drop it.
    /// </summary>
    public static RouteHandlerBuilder WithCausalWrites(this RouteHandlerBuilder route) =>
        route.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers[CausalToken.Header] is { Count: > 0 } header
            && (header.Count > 1 || !CausalToken.TryDecode(header[0], out _))
                ? MalformedToken()
                : await next(context));

    private static IResult MalformedToken() =>
        BadHeader("is not a causal token: send back the value of a write's Heck-Causal-Token answer, unchanged");

    /// <summary>The level the filter admitted this read at.</summary>
    public static ReadLevel LevelOf(HttpContext http) => http.Items[LevelKey] is ReadLevel level ? level : ReadLevel.Local;

    /// <summary>
    /// Answers <paramref name="token"/> merged with the request's own token (checked by the route's filter), so a
    /// session's token only grows.
    /// </summary>
    public static void Answer(HttpContext http, CausalToken token)
    {
        var merged = token.Merge(RequestToken(http.Request));
        if (!merged.IsEmpty) http.Response.Headers[CausalToken.Header] = merged.Encode();
    }

    private static CausalToken RequestToken(HttpRequest request) =>
        request.Headers[CausalToken.Header] is { Count: 1 } values && CausalToken.TryDecode(values[0], out var token) ? token : CausalToken.Empty;

    private static IResult BadHeader(string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [CausalToken.Header] = [message] },
            title: "The request is invalid.", detail: $"{CausalToken.Header} {message}.", type: "https://heck.dev/problems/invalid-header");

    private static IResult NotCovered(HttpContext http, CausalWaitResult wait)
    {
        http.Response.Headers.RetryAfter = "1";
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "This silo has not yet seen the writes of the causal token.",
            detail: $"Waited {wait.WaitedMs} ms for this silo's replica to cover {CausalToken.Header}; it still lacks {wait.Lacking.Count} write(s). " +
                    "Retry shortly, here or on another silo.",
            type: NotCoveredType,
            extensions: new Dictionary<string, object?>
            {
                ["waitedMs"] = wait.WaitedMs,
                ["lacking"] = wait.Lacking.Select(d => d.ToString()).ToList(),
            });
    }

    private sealed class Filter(ReadLevel[] levels) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var http = context.HttpContext;
            ReadLevel? asked = null;
            var query = http.Request.Query[ReadLevels.QueryName];
            if (query.Count > 0)
            {
                if (query.Count > 1 || !ReadLevels.TryParse(query[0], out var level) || !levels.Contains(level))
                {
                    var allowed = string.Join(", ", levels.Select(l => l.Name()));
                    return Problems.InvalidQuery([new FieldError(ReadLevels.QueryName, $"must be one of {allowed} here (was '{query}')")]);
                }
                asked = level;
            }

            CausalToken? token = null;
            var header = http.Request.Headers[CausalToken.Header];
            if (header.Count > 0)
            {
                if (header.Count > 1 || !CausalToken.TryDecode(header[0], out var sent)) return MalformedToken();
                token = sent;
            }
            var read = asked ?? (token is null ? ReadLevel.Local : ReadLevel.Causal);
            if (read == ReadLevel.Causal && token is null) return BadHeader("is required with consistency=causal");
            http.Items[LevelKey] = read;

            if (token is not null)
            {
                var wait = read == ReadLevel.Causal
                    ? await http.RequestServices.GetRequiredService<CausalWait>().UntilCoveredAsync(token, http.RequestAborted)
                    : CausalWaitResult.Immediate;
                http.Response.Headers[WaitHeader] = wait.WaitedMs.ToString(CultureInfo.InvariantCulture);
                if (!wait.Covered) return NotCovered(http, wait);
            }

            var result = await next(context);
            // A session's token grows by what it read, so its next read, on any silo, is no older (monotonic reads).
            if (token is not null && read != ReadLevel.Owner)
            {
                var replica = http.RequestServices.GetRequiredService<LocalReplica>();
                Answer(http, http.Request.RouteValues["id"] is string id ? replica.TokenOf(id) : replica.TokenOfAll(replica.LiveIds));
            }
            return result;
        }
    }
}
