using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heck.Silo.Api;

/// <summary>The API's JSON conventions: camelCase, lower-case enums, no nulls on output.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DictionaryKeyPolicy = null; // header names and field names stay as written
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }

    /// <summary>Strict reading of request bodies: unknown fields are errors, not silently dropped.</summary>
    public static JsonSerializerOptions Request { get; } = CreateRequest();

    private static JsonSerializerOptions CreateRequest()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            AllowTrailingCommas = false,
            MaxDepth = 8,
        };
        return options;
    }
}
