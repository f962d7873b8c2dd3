using Heck.Origins;

namespace Heck.Silo.Api;

/// <summary>RFC 9457 problem responses, every bad field named under <c>errors</c>.</summary>
public static class Problems
{
    public static IResult Invalid(IEnumerable<FieldError> errors) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "The origin is invalid; nothing was changed.",
            type: "https://heck.dev/problems/invalid-origin");

    public static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Origin not found",
            detail: $"No origin with id '{id}' is registered.", type: "https://heck.dev/problems/origin-not-found");
}
