using System.Text.Json;
using System.Text.Json.Nodes;
using Heck.Origins;

namespace Heck.Api;

/// <summary>JSON merge patch (RFC 7396): objects merge key by key, <c>null</c> removes a key, anything else replaces.</summary>
public static class MergePatch
{
    /// <summary>The result of applying <paramref name="patch"/> to <paramref name="target"/>; neither is changed.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null) result.Remove(key);
            else result[key] = Apply(result[key], value);
        }
        return result;
    }

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 8 };

    /// <summary>
    /// The patch in <paramref name="utf8"/>: a JSON object; null with every problem in <paramref name="errors"/>.
    /// A repeated key or a string that is not Unicode (a lone surrogate such as <c>\ud800</c>) is named here:
    /// <see cref="JsonNode"/> would throw on either only when the patch is applied.
    /// </summary>
    public static JsonObject? Parse(ReadOnlySpan<byte> utf8, List<FieldError> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), Options);
        }
        catch (JsonException ex)
        {
            errors.Add(new("body", $"is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine})"));
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new("body", $"must be a JSON object of the fields to change (was {root.ValueKind.ToString().ToLowerInvariant()})"));
                return null;
            }
            var before = errors.Count;
            CheckText(root, "", errors);
            return errors.Count > before ? null : JsonObject.Create(root.Clone());
        }
    }

    private static void CheckText(JsonElement value, string path, List<FieldError> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        errors.Add(new(path.Length == 0 ? "body" : path, "has a field name that is not valid Unicode text (a lone surrogate such as \\ud800)"));
                        continue;
                    }
                    var field = path.Length == 0 ? name : $"{path}.{name}";
                    if (!seen.Add(name)) errors.Add(new(field, OriginFields.AppearsTwice));
                    else CheckText(property.Value, field, errors);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) CheckText(item, path, errors);
                break;
            case JsonValueKind.String:
                try
                {
                    value.GetString();
                }
                catch (InvalidOperationException)
                {
                    errors.Add(new(path, OriginJsonReader.NotUnicode));
                }
                break;
        }
    }
}
