using System.Text.Json;

namespace Heck.Origins;

/// <summary>
/// Reads an origin's JSON body into an <see cref="OriginInput"/>, naming every mistake a serializer
/// would either hide (a repeated key, where the last one wins) or describe in .NET's words (a number
/// too large for an int is "the wrong type"): each error says the field, what it must be and what
/// it was. Pure; <see cref="OriginValidator"/> then checks the values it could read.
/// </summary>
public static class OriginJsonReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 8,
    };

    /// <summary>
    /// The input read from <paramref name="utf8"/>, with every field that could be read; null when the
    /// body is not a JSON object. Every problem is added to <paramref name="errors"/>.
    /// </summary>
    public static OriginInput? Read(ReadOnlySpan<byte> utf8, List<FieldError> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), Options);
        }
        catch (JsonException ex)
        {
            errors.Add(new("body", NotJson(ex)));
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new("body", $"must be a JSON object (was {Describe(root)})"));
                return null;
            }
            var input = new OriginInput();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!TryName(property, errors, "body", out var name)) continue;
                if (!seen.Add(name))
                {
                    errors.Add(new(name, OriginFields.AppearsTwice));
                    continue;
                }
                if (OriginFields.KindOf(name) is not { } kind)
                {
                    errors.Add(new(name, OriginFields.UnknownField(name)));
                    continue;
                }
                if (ReadValue(name, kind, property.Value, errors, out var value))
                    OriginFields.Set(input, name, value);
            }
            return input;
        }
    }

    private static bool ReadValue(string field, OriginFieldKind kind, JsonElement value, List<FieldError> errors, out object? result)
    {
        result = null;
        if (value.ValueKind == JsonValueKind.Null) return true; // null is "not given": the default applies
        switch (kind)
        {
            case OriginFieldKind.Text when value.ValueKind == JsonValueKind.String:
                return TryText(field, value, errors, out result);
            case OriginFieldKind.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                result = value.GetBoolean();
                return true;
            case OriginFieldKind.Integer when value.ValueKind == JsonValueKind.Number:
                return TryInteger(field, value, errors, out result);
            case OriginFieldKind.Headers when value.ValueKind == JsonValueKind.Object:
                return TryHeaders(value, errors, out result);
            case OriginFieldKind.ExpectStatus:
                try
                {
                    if (ExpectStatusJsonConverter.TryRead(value, out var text))
                    {
                        result = text;
                        return true;
                    }
                    errors.Add(new(field, $"{ExpectStatusJsonConverter.Error} (was {Describe(value)})"));
                }
                catch (InvalidOperationException)
                {
                    errors.Add(new(field, NotUnicode));
                }
                return false;
            default:
                errors.Add(new(field, OriginFields.WrongKind(kind, Describe(value))));
                return false;
        }
    }

    private static bool TryInteger(string field, JsonElement value, List<FieldError> errors, out object? result)
    {
        result = null;
        if (value.TryGetInt32(out var n))
        {
            result = n;
            return true;
        }
        var raw = value.GetRawText();
        // A whole number written without a fraction or exponent is just too large for the field.
        errors.Add(new(field, raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0 ? OriginValidator.OutOfRange(field, raw) : OriginFields.NotWhole(raw)));
        return false;
    }

    private static bool TryHeaders(JsonElement value, List<FieldError> errors, out object? result)
    {
        result = null;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var property in value.EnumerateObject())
        {
            if (!TryName(property, errors, "headers", out var name))
            {
                ok = false;
                continue;
            }
            var field = $"headers.{name}";
            if (headers.Keys.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } first)
            {
                errors.Add(new(field, first == name ? OriginFields.AppearsTwice : $"repeats header {first} (header names ignore case)"));
                ok = false;
                continue;
            }
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add(new(field, OriginFields.WrongKind(OriginFieldKind.Text, Describe(property.Value))));
                ok = false;
                headers[name] = "";
                continue;
            }
            if (TryText(field, property.Value, errors, out var text)) headers[name] = (string)text!;
            else ok = false;
        }
        if (ok) result = headers;
        return ok;
    }

    private static bool TryText(string field, JsonElement value, List<FieldError> errors, out object? result)
    {
        result = null;
        try
        {
            result = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            errors.Add(new(field, NotUnicode));
            return false;
        }
    }

    private static bool TryName(JsonProperty property, List<FieldError> errors, string where, out string name)
    {
        name = "";
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            errors.Add(new(where, "has a field name that is not valid Unicode text (a lone surrogate such as \\ud800, or bytes that are not UTF-8)"));
            return false;
        }
    }

    public const string NotUnicode = "must be valid Unicode text (was a lone surrogate such as \\ud800, or bytes that are not UTF-8)";

    /// <summary>A JSON value as the user wrote it: <c>the string "500"</c>, <c>an array</c>, <c>true</c>.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "the string " + Shorten(RawText(value)),
        JsonValueKind.Number => "the number " + Shorten(value.GetRawText()),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    // A string may hold bytes that are not UTF-8, which the parser lets through until the text is asked for.
    private static string RawText(JsonElement value)
    {
        try
        {
            return value.GetRawText();
        }
        catch (InvalidOperationException)
        {
            return "that is not valid UTF-8";
        }
    }

    private static string Shorten(string raw) => raw.Length <= 60 ? raw : raw[..57] + "…";

    private static string NotJson(JsonException ex)
    {
        // System.Text.Json appends its own 0-based position; give it once, 1-based, in the user's terms.
        var what = ex.Message;
        var at = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (at >= 0) what = what[..at];
        var position = ex.LineNumber is { } line ? $" at line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}" : "";
        return $"is not valid JSON{position}: {what.TrimEnd()}";
    }
}
