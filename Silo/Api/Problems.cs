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

    public static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Origin not found",
            detail: $"No origin with id '{id}' is registered.", type: "https://heck.dev/problems/origin-not-found");

    private static Dictionary<string, string[]> Errors(IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
}
