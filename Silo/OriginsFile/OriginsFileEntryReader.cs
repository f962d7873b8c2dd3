using System.Globalization;
using System.Text.RegularExpressions;
using Heck.Origins;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// Reads one entry of the origins file (a YAML mapping, as parser events) into an
/// <see cref="OriginInput"/>, with the same field names, kinds and messages as the API's
/// <see cref="OriginJsonReader"/>; every problem carries the line and column of the key or value
/// at fault. YAML scalars are untyped, so <c>500</c> and <c>"500"</c> are both a number here.
/// </summary>
public static partial class OriginsFileEntryReader
{
    /// <summary>A problem in an entry: its key (as written, <c>headers.Host</c> for a header) and where.</summary>
    public sealed record Problem(string Key, string Message, Mark At);

    public sealed record Result(OriginInput Input, IReadOnlyList<Problem> Problems, IReadOnlyDictionary<string, Mark> Positions);

    [GeneratedRegex(@"^[-+]?[0-9]+\z")]
    private static partial Regex WholeNumber();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z")]
    private static partial Regex AnyNumber();

    /// <summary>Reads the mapping that starts at <paramref name="start"/> and ends before <paramref name="end"/>.</summary>
    public static Result Read(IReadOnlyList<ParsingEvent> events, int start, int end)
    {
        var input = new OriginInput();
        var problems = new List<Problem>();
        // Where each field's value is, so the validator's errors can point at it.
        var positions = new Dictionary<string, Mark>(StringComparer.Ordinal);
        for (var i = start + 1; i < end - 1;)
        {
            var valueStart = Next(events, i);
            var valueEnd = Next(events, valueStart);
            var keyEvent = events[i];
            var value = events[valueStart];
            i = valueEnd;
            if (keyEvent is not Scalar { Value: var name })
            {
                problems.Add(new("entry", "keys must be field names (id, url, …)", keyEvent.Start));
                continue;
            }
            if (positions.ContainsKey(name))
            {
                problems.Add(new(name, OriginFields.AppearsTwice, keyEvent.Start));
                continue;
            }
            if (OriginFields.KindOf(name) is not { } kind)
            {
                problems.Add(new(name, OriginFields.UnknownField(name), keyEvent.Start));
                continue;
            }
            positions[name] = value.Start;
            if (ReadValue(name, kind, events, valueStart, valueEnd, problems, positions, out var read))
                OriginFields.Set(input, name, read);
        }
        return new(input, problems, positions);
    }

    private static bool ReadValue(string field, OriginFieldKind kind, IReadOnlyList<ParsingEvent> events, int start, int end,
        List<Problem> problems, Dictionary<string, Mark> positions, out object? result)
    {
        result = null;
        var value = events[start];
        if (IsNull(value)) return true; // an empty value is "not given": the default applies
        switch (kind)
        {
            case OriginFieldKind.Text when value is Scalar s:
                result = s.Value;
                return true;
            case OriginFieldKind.Integer when value is Scalar s:
                return Integer(field, s, problems, out result);
            case OriginFieldKind.Boolean when value is Scalar s && bool.TryParse(s.Value, out var b):
                result = b;
                return true;
            case OriginFieldKind.Headers when value is MappingStart:
                return Headers(events, start, end, problems, positions, out result);
            case OriginFieldKind.ExpectStatus when value is Scalar s:
                result = s.Value;
                return true;
            case OriginFieldKind.ExpectStatus when value is SequenceStart:
                var items = new List<string>();
                for (var i = start + 1; i < end - 1; i = Next(events, i))
                    if (events[i] is Scalar item && !IsNull(item)) items.Add(item.Value);
                    else
                    {
                        problems.Add(new(field, OriginFields.WrongKind(kind, Describe(events[i])), events[i].Start));
                        return false;
                    }
                if (items.Count == 0)
                {
                    problems.Add(new(field, OriginFields.WrongKind(kind, "an empty list"), value.Start));
                    return false;
                }
                result = string.Join(",", items);
                return true;
            default:
                problems.Add(new(field, OriginFields.WrongKind(kind, Describe(value)), value.Start));
                return false;
        }
    }

    private static bool Integer(string field, Scalar s, List<Problem> problems, out object? result)
    {
        result = null;
        if (int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            result = n;
            return true;
        }
        var text = s.Value.Trim();
        var message = WholeNumber().IsMatch(text) ? OriginValidator.OutOfRange(field, text)
            : AnyNumber().IsMatch(text) ? OriginFields.NotWhole(text)
            : OriginFields.WrongKind(OriginFieldKind.Integer, Describe(s));
        problems.Add(new(field, message, s.Start));
        return false;
    }

    private static bool Headers(IReadOnlyList<ParsingEvent> events, int start, int end, List<Problem> problems,
        Dictionary<string, Mark> positions, out object? result)
    {
        result = null;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        for (var i = start + 1; i < end - 1;)
        {
            var valueStart = Next(events, i);
            var keyEvent = events[i];
            var value = events[valueStart];
            i = Next(events, valueStart);
            if (keyEvent is not Scalar { Value: var name })
            {
                problems.Add(new("headers", "keys must be header names", keyEvent.Start));
                ok = false;
                continue;
            }
            var key = $"headers.{name}";
            if (headers.Keys.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } first)
            {
                problems.Add(new(key, first == name ? OriginFields.AppearsTwice : $"repeats header {first} (header names ignore case)", keyEvent.Start));
                ok = false;
                continue;
            }
            positions[key] = value.Start;
            if (value is Scalar v && !IsNull(v)) headers[name] = v.Value;
            else
            {
                problems.Add(new(key, OriginFields.WrongKind(OriginFieldKind.Text, Describe(value)), value.Start));
                headers[name] = "";
                ok = false;
            }
        }
        if (ok) result = headers;
        return ok;
    }

    /// <summary>A plain empty, <c>~</c> or <c>null</c> scalar: YAML's null.</summary>
    public static bool IsNull(ParsingEvent e) =>
        e is Scalar { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>A YAML node as the user wrote it: <c>"fast"</c>, <c>a list</c>, <c>a mapping</c>.</summary>
    public static string Describe(ParsingEvent e) => e switch
    {
        _ when IsNull(e) => "empty",
        Scalar s => "\"" + (s.Value.Length <= 60 ? s.Value : s.Value[..57] + "…") + "\"",
        SequenceStart => "a list",
        MappingStart => "a mapping",
        _ => "an alias",
    };

    /// <summary>The index just past the node that starts at <paramref name="i"/>.</summary>
    public static int Next(IReadOnlyList<ParsingEvent> events, int i)
    {
        var depth = 0;
        do
        {
            depth += events[i].NestingIncrease;
            i++;
        } while (depth > 0 && i < events.Count);
        return i;
    }
}
