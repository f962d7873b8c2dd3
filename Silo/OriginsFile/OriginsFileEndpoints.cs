using Heck.Silo.Security;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// <c>GET /api/origins-file</c>: this silo's origins file — which origins it manages, every bad
/// entry (position, id, key, message, line and column), and what the last apply did.
/// </summary>
public static class OriginsFileEndpoints
{
    public static void MapOriginsFileEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/origins-file", (OriginsFileStatus status) => Results.Ok(Document(status.Current))).RequireScope(ApiScope.Read);

    private static OriginsFileDocument Document(OriginsFileStatus.Snapshot s) => new(
        s.Path,
        s.Content?.Parsed ?? false,
        s.Managed.Order(StringComparer.Ordinal).ToList(),
        (s.Content?.Errors ?? []).Select(e => new OriginsFileErrorDocument(e.Entry, e.Id, e.Key, e.Message, e.Line, e.Column)).ToList(),
        s.LastApply is { } a ? new OriginsFileApplyDocument(a.At, a.Upserted, a.Deleted, a.Unchanged, a.Failures) : null);

    public sealed record OriginsFileDocument(string? Path, bool Parsed, IReadOnlyList<string> Managed,
        IReadOnlyList<OriginsFileErrorDocument> Errors, OriginsFileApplyDocument? LastApply);

    public sealed record OriginsFileErrorDocument(int? Entry, string? Id, string Key, string Message, int? Line, int? Column);

    public sealed record OriginsFileApplyDocument(DateTimeOffset At, IReadOnlyList<string> Upserted, IReadOnlyList<string> Deleted,
        int Unchanged, IReadOnlyList<string> Failures);
}
