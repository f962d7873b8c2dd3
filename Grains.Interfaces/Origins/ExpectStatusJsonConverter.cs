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
        using var value = JsonDocument.ParseValue(ref reader);
        return TryRead(value.RootElement, out var text) ? text : throw new JsonException(Error);
    }

    /// <summary>The comma text of <paramref name="value"/>, or false when it has none of the accepted shapes.</summary>
    public static bool TryRead(JsonElement value, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.Array) return TryItem(value, out text);
        var parts = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (!TryItem(item, out var part)) return false;
            parts.Add(part);
        }
        text = string.Join(",", parts);
        return parts.Count > 0;
    }

    private static bool TryItem(JsonElement item, out string text)
    {
        text = "";
        switch (item.ValueKind)
        {
            case JsonValueKind.String:
                text = item.GetString()!;
                return true;
            case JsonValueKind.Number when item.TryGetInt32(out var code):
                text = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return true;
            default:
                return false;
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }
}
