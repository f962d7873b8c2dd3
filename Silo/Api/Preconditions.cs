using Heck.Origins;

namespace Heck.Silo.Api;

/// <summary>
/// <c>If-Match</c> and <c>If-None-Match</c> on writes, checked against the origin's grain (which holds the
/// spec every write goes through) just before the write. Two conditional writes that race within that moment
/// are not told apart: the check and the write are two calls, not one.
/// </summary>
public static class Preconditions
{
    public const string ProblemType = "https://heck.dev/problems/precondition-failed";

    /// <summary>The 412 problem when a precondition of <paramref name="request"/> fails, else null (also when it has none).</summary>
    public static async Task<IResult?> CheckAsync(HttpRequest request, IOriginGrain grain)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        if (ifMatch.Length == 0 && ifNoneMatch.Length == 0) return null;
        var current = await grain.GetView() is { } view ? OriginETag.Of(view.Spec) : null;
        return Check(grain.GetPrimaryKeyString(), ifMatch, ifNoneMatch, current);
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

    private static IResult Failed(string id, string? current, string detail) =>
        Results.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "The origin is not in the state the request expects; nothing was changed.",
            detail: detail,
            type: ProblemType,
            extensions: new Dictionary<string, object?> { ["id"] = id, ["etag"] = current });
}
