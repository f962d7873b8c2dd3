namespace Heck.Silo.OriginsFile;

/// <summary>
/// The API's guard for origins the origins file manages: a write to one is refused with 409 and
/// a problem body naming the file and the entry, since the file would undo it at its next apply.
/// </summary>
public static class ManagedByFile
{
    public const string ProblemType = "https://heck.dev/problems/managed-by-origins-file";

    /// <summary>The 409 problem when <paramref name="status"/>'s file manages <paramref name="id"/>, else null.</summary>
    public static IResult? Refuse(OriginsFileStatus status, string id)
    {
        if (Message(status, id) is not { } message) return null;
        status.Manages(id, out var entry);
        return Results.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "The origin is managed by the origins file; edit the file instead.",
            detail: message,
            type: ProblemType,
            extensions: new Dictionary<string, object?> { ["file"] = status.Path, ["entry"] = entry, ["id"] = id });
    }

    /// <summary>Why a write to <paramref name="id"/> is refused, naming the file and the entry; null when it is not.</summary>
    public static string? Message(OriginsFileStatus status, string id)
    {
        if (!status.Manages(id, out var entry)) return null;
        var where = entry is { } n ? $"entry {n} of the origins file {status.Path}" : $"still managed by the origins file {status.Path} (the file does not parse right now, or the origin is being deleted)";
        return $"Origin '{id}' is {where} (Heck:OriginsFile). Change or remove it in the file: the silo applies the file within " +
               $"{OriginsFileApplier.PollInterval.TotalSeconds:0} s of a change, and would undo a write made elsewhere.";
    }
}
