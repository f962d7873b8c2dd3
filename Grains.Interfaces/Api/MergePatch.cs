using System.Text.Json.Nodes;

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
}
