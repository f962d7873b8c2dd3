using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heck.Origins;

/// <summary>
/// Reads <see cref="OriginInput.ExpectStatus"/> from JSON as a string (<c>"200-299,404"</c>), a
/// status code (<c>404</c>), or a non-empty array of either, into the comma-separated text the
/// validator parses; writes it back as that text. Any other shape is a <see cref="JsonException"/>
/// with <see cref="Error"/> as its message.
/// </summary>
public sealed class ExpectStatusJsonConverter : JsonConverter<string?>
{
    public const string Error = "must be a string like \"200-299,404\", a status code, or an array of them";

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return Item(ref reader);
        var parts = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            parts.Add(Item(ref reader));
        return parts.Count > 0 ? string.Join(",", parts) : throw new JsonException(Error);
    }

    private static string Item(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Number when reader.TryGetInt32(out var code) => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new JsonException(Error),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }
}
