using System.Text.Json;
using Heck.Api;
using Heck.Grains.Origins;
using Heck.Health;
using Heck.Origins;
using Heck.Silo.OriginsFile;

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
        origins.MapPut("/{id}", PutAsync);
        origins.MapPatch("/{id}", OriginPatchEndpoint.PatchAsync);
        origins.MapGet("/{id}", Get);
        origins.MapGet("/", List);
        origins.MapDelete("/{id}", DeleteAsync);
        origins.MapGet("/{id}/transitions", TransitionsAsync);
    }

    private static async Task<IResult> PutAsync(string id, HttpRequest request, IGrainFactory grains, OriginsFileStatus file, CancellationToken ct)
    {
        if (ManagedByFile.Refuse(file, id) is { } conflict) return conflict;
        var errors = new List<FieldError>();
        if (OriginValidator.CheckId(id) is { } idError) errors.Add(idError);
        else if (await Preconditions.CheckAsync(request, grains.GetGrain<IOriginGrain>(id)) is { } failed) return failed;

        var body = await ReadBodyAsync(request, errors, ct);
        if (body is null) return Problems.Invalid(errors);

        if (body.Id is not null && body.Id != id)
            errors.Add(new("id", $"the body's id '{body.Id}' differs from the path's '{id}'"));
        var fieldErrors = OriginValidator.Validate(id, body, out var spec);
        errors.AddRange(fieldErrors.Where(e => !errors.Contains(e)));
        if (errors.Count > 0) return Problems.Invalid(errors);

        var result = await ClusterUnavailable.RetryAsync(() => grains.GetGrain<IOriginGrain>(id).Configure(spec!), ct);
        if (result.Errors.Count > 0) return Problems.Invalid(result.Errors);
        var response = OriginDocument.From(result.View!);
        request.HttpContext.Response.Headers.ETag = OriginETag.Of(result.View!.Spec);
        return result.Created ? Results.Created($"/api/origins/{id}", response) : Results.Ok(response);
    }

    private static IResult Get(string id, OriginReads reads, HttpResponse response)
    {
        if (OriginValidator.CheckId(id) is { } idError) return Problems.Invalid([idError]);
        if (reads.Get(id) is not { } view) return Problems.NotFound(id);
        response.Headers.ETag = OriginETag.Of(view.Spec);
        return Results.Ok(OriginDocument.From(view));
    }

    private static IResult List(HttpRequest request, OriginReads reads)
    {
        HealthStatus? status = null;
        if (request.Query.TryGetValue("status", out var raw))
        {
            if (!Enum.TryParse<HealthStatus>(raw.ToString(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(raw, out _))
                return Problems.Invalid([new("status", $"must be one of unknown, healthy, degraded, unhealthy (was '{raw}')")]);
            status = parsed;
        }
        return Results.Ok(new OriginListDocument(reads.List(status).Select(OriginDocument.From).ToList()));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpRequest request, IGrainFactory grains, OriginsFileStatus file, CancellationToken ct)
    {
        if (OriginValidator.CheckId(id) is { } idError) return Problems.Invalid([idError]);
        if (ManagedByFile.Refuse(file, id) is { } conflict) return conflict;
        if (await Preconditions.CheckAsync(request, grains.GetGrain<IOriginGrain>(id)) is { } failed) return failed;
        // A retried delete that the first attempt already did answers 404, which is what DELETE may do.
        return await ClusterUnavailable.RetryAsync(() => grains.GetGrain<IOriginGrain>(id).Remove(), ct) ? Results.NoContent() : Problems.NotFound(id);
    }

    private static async Task<IResult> TransitionsAsync(string id, IGrainFactory grains)
    {
        if (OriginValidator.CheckId(id) is { } idError) return Problems.Invalid([idError]);
        var grain = grains.GetGrain<IOriginGrain>(id);
        if (await grain.GetView() is null) return Problems.NotFound(id);
        return Results.Ok(new { items = await grain.GetTransitions() });
    }

    /// <summary>Reads and parses the body, at most <see cref="MaxBodyBytes"/>; null with errors when it cannot.</summary>
    private static async Task<OriginInput?> ReadBodyAsync(HttpRequest request, List<FieldError> errors, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            errors.Add(new("body", $"must be at most {MaxBodyBytes} bytes (was {request.ContentLength})"));
            return null;
        }
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
            length += read;
        if (length > MaxBodyBytes)
        {
            errors.Add(new("body", $"must be at most {MaxBodyBytes} bytes"));
            return null;
        }
        if (length == 0)
        {
            errors.Add(new("body", "is required: a JSON object with at least a url"));
            return null;
        }
        try
        {
            var body = JsonSerializer.Deserialize<OriginInput>(buffer.AsSpan(0, length), ApiJson.Request);
            if (body is null) errors.Add(new("body", "must be a JSON object, not null"));
            return body;
        }
        catch (JsonException ex) when (FieldOf(ex.Path) == "expectStatus")
        {
            // Its shape is checked while reading; read the rest without it, so every other bad field is named too.
            errors.Add(new("expectStatus", JsonProblem(ex)));
            return ReadWithout(buffer.AsSpan(0, length), "expectStatus", errors);
        }
        catch (JsonException ex)
        {
            errors.Add(new(FieldOf(ex.Path), JsonProblem(ex)));
            return null;
        }
    }

    /// <summary>A merged PATCH document read as a PUT body is, with the same errors.</summary>
    internal static OriginInput? ParseInput(ReadOnlySpan<byte> json, List<FieldError> errors)
    {
        try
        {
            return JsonSerializer.Deserialize<OriginInput>(json, ApiJson.Request);
        }
        catch (JsonException ex)
        {
            errors.Add(new(FieldOf(ex.Path), JsonProblem(ex)));
            return null;
        }
    }

    private static OriginInput? ReadWithout(ReadOnlySpan<byte> json, string field, List<FieldError> errors)
    {
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(json) is not System.Text.Json.Nodes.JsonObject body) return null;
            body.Remove(field);
            return body.Deserialize<OriginInput>(ApiJson.Request);
        }
        catch (JsonException ex)
        {
            errors.Add(new(FieldOf(ex.Path), JsonProblem(ex)));
            return null;
        }
    }

    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');

    private static string JsonProblem(JsonException ex)
    {
        // System.Text.Json's messages name .NET types; keep the first sentence and the position.
        var message = ex.Message;
        if (message == ExpectStatusJsonConverter.Error) return message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
            return "unknown field: " + message.Split('\'').ElementAtOrDefault(1);
        if (message.Contains("could not be converted", StringComparison.Ordinal))
            return $"has the wrong type (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine})";
        return $"is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine})";
    }
}
