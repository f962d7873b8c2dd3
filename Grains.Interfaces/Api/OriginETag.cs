using System.Security.Cryptography;
using System.Text;
using Heck.Origins;

namespace Heck.Api;

/// <summary>
/// An origin's strong ETag: a hash of its spec in its shortest form (<see cref="OriginInputJson"/>). Every silo
/// computes the same tag for the same spec from its own replica, without asking any other; every write
/// that changes the spec changes it (one that changes nothing leaves it, as it leaves the origin).
/// </summary>
public static class OriginETag
{
    public static string Of(OriginSpec spec)
    {
        var json = OriginInputJson.AsInput(spec);
        json["id"] = spec.Id;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(json.ToJsonString()));
        return "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 12)) + "\"";
    }

    /// <summary>
    /// Whether an <c>If-Match</c> value admits <paramref name="current"/> (null: no origin). Strong comparison,
    /// as RFC 9110 asks for If-Match: <c>*</c> matches any origin, a weak tag never matches.
    /// </summary>
    public static bool IfMatch(string header, string? current) =>
        current is not null && Tags(header).Any(t => t == "*" || t == current);

    /// <summary>Whether an <c>If-None-Match</c> value admits the write: <c>*</c> only when there is no origin.</summary>
    public static bool IfNoneMatch(string header, string? current) =>
        current is null || !Tags(header).Any(t => t == "*" || t == current || t == "W/" + current);

    private static IEnumerable<string> Tags(string header) =>
        header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
