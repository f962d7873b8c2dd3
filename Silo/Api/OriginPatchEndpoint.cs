using System.Text.Json;
using System.Text.Json.Nodes;
using Heck.Api;
using Heck.Origins;
using Heck.Grains.Origins;
using Heck.Silo.OriginsFile;
using Microsoft.Extensions.Options;

namespace Heck.Silo.Api;

/// <summary>
/// <c>PATCH /api/origins/{id}</c> with a JSON merge patch (RFC 7396) on the origin as a PUT body would
/// give it: <c>null</c> resets a field to its default, <c>headers</c> merge by name, and the result goes
/// through the same validation as a PUT.
/// </summary>
public static class OriginPatchEndpoint
{
    public const string MediaType = "application/merge-patch+json";

    public static async Task<IResult> PatchAsync(string id, HttpRequest request, IGrainFactory grains, OriginsFileStatus file,
        IOptions<LimitsOptions> limits, CancellationToken ct)
    {
        if (OriginValidator.CheckId(id) is { } idError) return Problems.Invalid([idError]);
        if (!IsMergePatch(request.ContentType))
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "PATCH takes a JSON merge patch.",
                detail: $"Content-Type must be {MediaType} (RFC 7396), was '{request.ContentType ?? "none"}'.",
                type: "https://heck.dev/problems/unsupported-media-type");
        }
        if (ManagedByFile.Refuse(file, id) is { } conflict) return conflict;

        var errors = new List<FieldError>();
        var (bytes, unreadable) = await RequestBody.ReadAsync(request, OriginEndpoints.MaxBodyBytes, errors, ct);
        if (unreadable is not null) return unreadable;
        var patch = bytes is null ? null : MergePatch.Parse(bytes, errors);
        if (patch is null) return Problems.Invalid(errors);

        var grain = grains.GetGrain<IOriginGrain>(id);
        var ifMatch = request.Headers.IfMatch.ToString();
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        // The patch applies to the spec it was merged on: the write holds only while that spec is current, and a
        // write in between (another PATCH of other fields) makes it merge again rather than undo that write.
        for (var attempt = 0; attempt < MergeAttempts; attempt++)
        {
            var current = await grain.GetView();
            if (current is null) return Problems.NotFound(id);
            var etag = OriginETag.Of(current.Spec);
            if (Preconditions.Check(id, ifMatch, ifNoneMatch, etag) is { } failed) return failed;

            var merged = MergePatch.Apply(OriginInputJson.AsInput(current.Spec), patch)!;
            errors.Clear();
            var input = OriginEndpoints.ParseInput(JsonSerializer.SerializeToUtf8Bytes(merged), errors);
            if (input is null) return Problems.Invalid(errors);
            if (input.Id is not null && input.Id != id)
                errors.Add(new("id", $"the body's id '{input.Id}' differs from the path's '{id}'"));
            errors.AddRange(OriginValidator.Validate(id, input, out var spec, limits.Value.MinIntervalMs).Where(e => !errors.Contains(e)));
            if (errors.Count > 0) return Problems.Invalid(errors);

            var result = await ClusterUnavailable.RetryAsync(() => grain.ConfigureIf(spec!, WriteCondition.Unchanged(etag)), ct);
            if (result.ConditionFailed) continue;
            if (result.Errors.Count > 0) return Problems.Invalid(result.Errors);
            if (result.Refused is { } refused) return Problems.Refused(refused);
            request.HttpContext.Response.Headers.ETag = OriginETag.Of(result.View!.Spec);
            CausalReads.Answer(request.HttpContext, result.Token);
            return Results.Ok(OriginDocument.From(result.View!));
        }
        return Results.Problem(statusCode: StatusCodes.Status409Conflict,
            title: "The origin kept changing while the patch was applied; nothing was changed.",
            detail: $"Origin '{id}' was written {MergeAttempts} times between reading and writing it. Retry the PATCH.",
            type: "https://heck.dev/problems/concurrent-writes");
    }

    private const int MergeAttempts = 3;

    private static bool IsMergePatch(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase);
}
