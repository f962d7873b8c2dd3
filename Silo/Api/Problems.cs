using Heck.Origins;

namespace Heck.Silo.Api;

/// <summary>RFC 9457 problem responses, every bad field named under <c>errors</c>.</summary>
public static class Problems
{
    public static IResult Invalid(IEnumerable<FieldError> errors) =>
        Results.ValidationProblem(Errors(errors),
            title: "The origin is invalid; nothing was changed.",
            type: "https://heck.dev/problems/invalid-origin");

    /// <summary>A bad query string: nothing was asked of an origin, so the title says what was wrong.</summary>
    public static IResult InvalidQuery(IEnumerable<FieldError> errors) =>
        Results.ValidationProblem(Errors(errors),
            title: "The query is invalid.",
            type: "https://heck.dev/problems/invalid-query");

    /// <summary>415 for a body that is not declared JSON (text, XML, a form): it is not guessed at.</summary>
    public static IResult UnsupportedMediaType(string? contentType)
    {
        var message = $"must be application/json (was {(string.IsNullOrEmpty(contentType) ? "none" : contentType)})";
        return Results.ValidationProblem(
            new Dictionary<string, string[]> { ["Content-Type"] = [message] },
            detail: $"Content-Type {message}.",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "The body must be JSON; nothing was changed.",
            type: "https://heck.dev/problems/unsupported-media-type");
    }

    /// <summary>
    /// A valid write that a limit refused: 429 when the cluster holds as many origins as it may, 503 when the
    /// probes it would add do not fit the cluster's probe budget. The detail says the numbers, <c>key</c> the setting.
    /// </summary>
    public static IResult Refused(AdmissionRefusal refusal) =>
        Results.Problem(
            statusCode: refusal.Kind == AdmissionRefusalKind.TooManyOrigins ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable,
            title: refusal.Kind == AdmissionRefusalKind.TooManyOrigins
                ? "The cluster holds as many origins as it may; nothing was changed."
                : "The cluster cannot probe more on schedule; nothing was changed.",
            detail: refusal.Detail,
            type: refusal.Kind == AdmissionRefusalKind.TooManyOrigins ? "https://heck.dev/problems/too-many-origins" : "https://heck.dev/problems/probe-budget",
            extensions: new Dictionary<string, object?> { ["key"] = refusal.Key });

    public static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Origin not found",
            detail: $"No origin with id '{id}' is registered.", type: "https://heck.dev/problems/origin-not-found");

    private static Dictionary<string, string[]> Errors(IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
}
