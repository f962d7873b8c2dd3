using System.Globalization;
using Heck.Api;
using Heck.Grains.Replica;
using Heck.Grains.Origins;
using Heck.Health;
using Heck.Origins;
using Heck.Silo.OriginsFile;
using Microsoft.Extensions.Options;
using Heck.Silo.Security;

namespace Heck.Silo.Api;

/// <summary>
/// <c>/api/origins</c>: writes go to the origin's grain; reads are answered from this silo's replica
/// through <see cref="OriginReads"/>, which turns a stale verdict into <c>unknown</c>.
/// </summary>
public static class OriginEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static void MapOriginEndpoints(this IEndpointRouteBuilder app)
    {
        var origins = app.MapGroup("/api/origins");
        origins.MapPut("/{id}", PutAsync).WithCausalWrites().RequireScope(ApiScope.Write);
        origins.MapPatch("/{id}", OriginPatchEndpoint.PatchAsync).WithCausalWrites().RequireScope(ApiScope.Write);
        origins.MapGet("/{id}", GetAsync).WithCausalReads(ReadLevel.Local, ReadLevel.Causal, ReadLevel.Owner).RequireScope(ApiScope.Read);
        origins.MapGet("/", List).WithCausalReads(ReadLevel.Local, ReadLevel.Causal).RequireScope(ApiScope.Read);
        origins.MapDelete("/{id}", DeleteAsync).WithCausalWrites().RequireScope(ApiScope.Write);
        origins.MapGet("/{id}/transitions", TransitionsAsync).WithCausalReads(ReadLevel.Local, ReadLevel.Causal).RequireScope(ApiScope.Read);
    }

    private static async Task<IResult> PutAsync(string id, HttpRequest request, IGrainFactory grains, OriginsFileStatus file,
        IOptions<LimitsOptions> limits, CancellationToken ct)
    {
        if (ManagedByFile.Refuse(file, id) is { } conflict) return conflict;
        if (!request.HasJsonContentType()) return Problems.UnsupportedMediaType(request.ContentType);
        var errors = new List<FieldError>();
        if (OriginValidator.CheckId(id) is { } idError) errors.Add(idError);

        var (bytes, unreadable) = await RequestBody.ReadAsync(request, MaxBodyBytes, errors, ct);
        if (unreadable is not null) return unreadable;
        if (bytes is { Length: 0 }) errors.Add(new("body", "is required: a JSON object with at least a url"));
        var body = bytes is not { Length: > 0 } ? null : OriginJsonReader.Read(bytes, errors);
        if (body is null) return Problems.Invalid(errors);

        if (body.Id is not null && body.Id != id)
            errors.Add(new("id", $"the body's id '{body.Id}' differs from the path's '{id}'"));
        // A field the reader already refused reaches the validator unset; its "is required" would only repeat that.
        var named = errors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(OriginValidator.Validate(id, body, out var spec, limits.Value.MinIntervalMs).Where(e => !named.Contains(e.Field)));
        if (errors.Count > 0) return Problems.Invalid(errors);

        var grain = grains.GetGrain<IOriginGrain>(id);
        var condition = Preconditions.Of(request);
        var result = await ClusterUnavailable.RetryAsync(() => condition is null ? grain.Configure(spec!) : grain.ConfigureIf(spec!, condition), ct);
        if (result.ConditionFailed) return Preconditions.Refused(id, condition!, result.CurrentETag);
        if (result.Errors.Count > 0) return Problems.Invalid(result.Errors);
        if (result.Refused is { } refused) return Problems.Refused(refused);
        var response = OriginDocument.From(result.View!);
        request.HttpContext.Response.Headers.ETag = OriginETag.Of(result.View!.Spec);
        CausalReads.Answer(request.HttpContext, result.Token);
        return result.Created ? Results.Created($"/api/origins/{id}", response) : Results.Ok(response);
    }

    private static async Task<IResult> GetAsync(string id, OriginReads reads, IGrainFactory grains, HttpContext http, CancellationToken ct)
    {
        if (OriginValidator.CheckId(id) is { } idError) return Problems.Invalid([idError]);
        OriginView? view;
        if (CausalReads.LevelOf(http) == ReadLevel.Owner)
        {
            // The coordinated read: the owning activation's view, wherever it runs.
            var owned = await ClusterUnavailable.RetryAsync(() => grains.GetGrain<IOriginGrain>(id).ReadOwned(), ct);
            CausalReads.Answer(http, owned.Token);
            view = owned.View;
        }
        else view = reads.Get(id);
        if (view is null) return Problems.NotFound(id);
        var response = http.Response;
        response.Headers.ETag = OriginETag.Of(view.Spec);
        return Results.Ok(OriginDocument.From(view));
    }

    private static IResult List(HttpRequest request, OriginReads reads)
    {
        var wanted = StatusQuery.Parse(request.Query["status"], out var error);
        if (error is not null) return Problems.InvalidQuery([error]);
        var items = reads.List(null).Where(v => wanted is null || wanted.Contains(v.Health.Status));
        return Results.Ok(new OriginListDocument(items.Select(OriginDocument.From).ToList()));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpRequest request, IGrainFactory grains, OriginsFileStatus file, CancellationToken ct)
    {
        if (OriginValidator.CheckId(id) is { } idError) return Problems.Invalid([idError]);
        if (ManagedByFile.Refuse(file, id) is { } conflict) return conflict;
        var grain = grains.GetGrain<IOriginGrain>(id);
        // A retried delete that the first attempt already did answers 404, which is what DELETE may do.
        // Without preconditions the condition admits anything: RemoveIf is then Remove, with the removal's token.
        var condition = Preconditions.Of(request);
        var result = await ClusterUnavailable.RetryAsync(() => grain.RemoveIf(condition ?? new WriteCondition("", "")), ct);
        if (result.ConditionFailed) return Preconditions.Refused(id, condition!, result.CurrentETag);
        if (!result.Removed) return Problems.NotFound(id);
        CausalReads.Answer(request.HttpContext, result.Token);
        return Results.NoContent();
    }

    /// <summary>The newest transitions a <c>?limit=</c> may ask for.</summary>
    public const int MaxTransitionsLimit = 1000;

    // From this silo's replica only: answered while the owner is unreachable, and the same order on every silo.
    private static Task<IResult> TransitionsAsync(string id, HttpRequest request, LocalReplica replica)
    {
        if (OriginValidator.CheckId(id) is { } idError) return Task.FromResult(Problems.Invalid([idError]));
        var raw = request.Query["limit"];
        var limit = MaxTransitionsLimit;
        if (raw.Count > 0 && !(raw.Count == 1 && int.TryParse(raw[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxTransitionsLimit))
            return Task.FromResult(Problems.InvalidQuery([new FieldError("limit", $"must be a whole number from 1 to {MaxTransitionsLimit} (was \"{raw}\")")]));
        if (replica.TransitionsOf(id) is not { } transitions) return Task.FromResult(Problems.NotFound(id));
        var items = transitions.Skip(Math.Max(0, transitions.Count - limit)).Select(TransitionItemDocument.Of).ToList();
        return Task.FromResult(Results.Ok(new TransitionListDocument(items)));
    }

    /// <summary>A merged PATCH document, read as a PUT body is, with the same errors.</summary>
    internal static OriginInput? ParseInput(ReadOnlySpan<byte> json, List<FieldError> errors) => OriginJsonReader.Read(json, errors);
}
