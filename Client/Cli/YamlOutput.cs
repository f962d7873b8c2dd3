using System.Text.Json;
using YamlDotNet.Serialization;

namespace Heck.Client.Cli;

/// <summary><c>-o yaml</c>: the same document as <c>-o json</c>, written as YAML.</summary>
internal static class YamlOutput
{
    private static readonly ISerializer Serializer = new SerializerBuilder().Build();

    public static string Write(JsonElement document) => Serializer.Serialize(ToObject(document));

    private static object? ToObject(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => ToObject(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Select(ToObject).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
