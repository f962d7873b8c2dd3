using Heck.Api;
using Heck.Origins;

namespace Heck.Silo.Api;

/// <summary>
/// <c>If-Match</c> and <c>If-None-Match</c> on writes. The origin's grain checks them against its current spec in
/// the same turn as the write (<see cref="IOriginGrain.ConfigureIf"/>, <see cref="IOriginGrain.RemoveIf"/>), so
/// two conditional writes on one version cannot both succeed.
/// </summary>
public static class Preconditions
{
    public const string ProblemType = "https://heck.dev/problems/precondition-failed";

    /// <summary>The request's preconditions, or null when it has none.</summary>
    public static WriteCondition? Of(HttpRequest request)
    {
        var condition = new WriteCondition(request.Headers.IfMatch.ToString(), request.Headers.IfNoneMatch.ToString());
        return condition.IsEmpty ? null : condition;
    }

    /// <summary>The 412 problem when <paramref name="ifMatch"/> or <paramref name="ifNoneMatch"/> (empty: absent) refuses <paramref name="current"/>.</summary>
    public static IResult? Check(string id, string ifMatch, string ifNoneMatch, string? current)
    {
        if (ifMatch.Length > 0 && !OriginETag.IfMatch(ifMatch, current))
        {
            return Failed(id, current, current is null
                ? $"If-Match is {ifMatch}, but no origin '{id}' is registered."
                : $"If-Match is {ifMatch}, but origin '{id}' is now {current}: it changed since it was read. Read it again and retry.");
        }
        if (ifNoneMatch.Length > 0 && !OriginETag.IfNoneMatch(ifNoneMatch, current))
            return Failed(id, current, $"If-None-Match is {ifNoneMatch}, but origin '{id}' already exists ({current}).");
        return null;
    }

    /// <summary>The 412 problem for a write the grain refused: <paramref name="condition"/> does not admit <paramref name="current"/>.</summary>
    public static IResult Refused(string id, WriteCondition condition, string? current) =>
        Check(id, condition.IfMatch, condition.IfNoneMatch, current) ?? Failed(id, current, $"Origin '{id}' changed during the write. Read it again and retry.");

    private static IResult Failed(string id, string? current, string detail) =>
        Results.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "The origin is not in the state the request expects; nothing was changed.",
            detail: detail,
            type: ProblemType,
            extensions: new Dictionary<string, object?> { ["id"] = id, ["etag"] = current });
}
