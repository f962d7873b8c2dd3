using Heck.Origins;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// Reads the origins file (<c>Heck:OriginsFile</c>): YAML with the API's field names,
/// <code>
/// origins:
///   - id: web
///     url: https://example.com/health
///     intervalMs: 5000
/// </code>
/// Never throws: a file that cannot be read or parsed is one file-level error (with the parser's
/// line and column); otherwise each entry is read (<see cref="OriginsFileEntryReader"/>) and
/// validated on its own, and every problem of every entry is reported with its line, column and
/// key, while the good entries stand.
/// </summary>
public static class OriginsFileLoader
{
    /// <param name="minIntervalMs">The silo's <c>Heck:Limits:MinIntervalMs</c>.</param>
    public static OriginsFileContent Load(string path, int minIntervalMs = OriginDefaults.MinIntervalMs)
    {
        try
        {
            return Parse(path, File.ReadAllText(path), minIntervalMs);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return OriginsFileContent.Unreadable(path, $"cannot be read: {ex.Message}");
        }
    }

    public static OriginsFileContent Parse(string path, string text, int minIntervalMs = OriginDefaults.MinIntervalMs)
    {
        List<ParsingEvent> events;
        try
        {
            events = ReadEvents(text);
        }
        catch (YamlException ex)
        {
            return OriginsFileContent.Unreadable(path, $"is not valid YAML: {ParserMessage(ex)}", (int)ex.Start.Line, (int)ex.Start.Column);
        }
        catch (ParserGaveUp ex)
        {
            return OriginsFileContent.Unreadable(path, $"is not valid YAML: {ex.Message}", ex.Line, ex.Column);
        }
        var found = FindEntries(events);
        if (found.Error is not null) return OriginsFileContent.Unreadable(path, found.Error, (int?)found.At?.Line, (int?)found.At?.Column);

        var errors = new List<OriginsFileError>();
        var specs = new List<OriginSpec>();
        var managed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < found.Entries!.Count; i++)
        {
            var (start, end) = found.Entries[i];
            var n = i + 1;
            var at = events[start].Start;
            if (OriginsFileEntryReader.IsNull(events[start]))
            {
                errors.Add(new(n, null, "entry", "is empty", (int)at.Line, (int)at.Column));
                continue;
            }
            if (events[start] is not MappingStart)
            {
                errors.Add(new(n, null, "entry", $"must be a mapping of fields (id, url, …) (was {OriginsFileEntryReader.Describe(events[start])})", (int)at.Line, (int)at.Column));
                continue;
            }
            var read = OriginsFileEntryReader.Read(events, start, end);
            // The id is read before the rest is judged, so an entry with a bad field still names its origin,
            // and the file keeps managing it (its last good spec stays) instead of deleting it.
            var id = read.Input.Id;
            if (id is not null && OriginValidator.CheckId(id) is null && !managed.TryAdd(id, n))
            {
                var idAt = read.Positions["id"];
                errors.Add(new(n, id, "id", $"appears more than once in the file (first in entry {managed[id]})", (int)idAt.Line, (int)idAt.Column));
                continue;
            }
            foreach (var problem in read.Problems)
                errors.Add(new(n, id, problem.Key, problem.Message, (int)problem.At.Line, (int)problem.At.Column));
            // A field the reader refused reaches the validator unset; its "is required" would only repeat that.
            var named = read.Problems.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            var fieldErrors = OriginValidator.Validate(id, read.Input, out var spec, minIntervalMs).Where(e => !named.Contains(e.Field)).ToList();
            foreach (var e in fieldErrors)
            {
                var where = read.Positions.TryGetValue(e.Field, out var mark) ? mark : at;
                errors.Add(new(n, id, e.Field, e.Message, (int)where.Line, (int)where.Column));
            }
            if (spec is not null && read.Problems.Count == 0) specs.Add(spec);
        }
        return new OriginsFileContent(path, parsed: true, specs, managed, errors);
    }

    /// <summary>The parser's own words, without the position it prefixes (the error carries line and column).</summary>
    private static string ParserMessage(YamlException ex)
    {
        var message = ex.InnerException?.Message ?? ex.Message;
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && at >= 0 ? message[(at + 3)..] : message;
    }

    private static List<ParsingEvent> ReadEvents(string text)
    {
        var parser = new Parser(new StringReader(text));
        var events = new List<ParsingEvent>();
        // No text gives more events than about one per character: past that the parser is going round in circles.
        var most = 2 * text.Length + 16;
        try
        {
            while (parser.MoveNext())
            {
                events.Add(parser.Current!);
                if (events.Count > most) throw new ParserGaveUp("the parser did not come to an end", events[^1].End);
            }
        }
        catch (Exception ex) when (ex is not (YamlException or ParserGaveUp or OutOfMemoryException))
        {
            // YamlDotNet's scanner throws its own state errors (InvalidOperationException) on some malformed text,
            // such as an unclosed flow collection followed by a key: still the file's fault, not the silo's.
            throw new ParserGaveUp($"the parser gave up ({ex.Message})", events.Count > 0 ? events[^1].End : (Mark?)null);
        }
        return events;
    }

    private sealed class ParserGaveUp(string message, Mark? at) : Exception(message)
    {
        public int? Line => at is { } m ? (int)m.Line : null;
        public int? Column => at is { } m ? (int)m.Column : null;
    }

    private sealed record Found(List<(int Start, int End)>? Entries, string? Error, Mark? At = null);

    /// <summary>The <c>origins</c> sequence's items as event ranges, or why the file's shape is wrong.</summary>
    private static Found FindEntries(List<ParsingEvent> events)
    {
        var documents = events.Count(e => e is DocumentStart);
        if (documents == 0) return new([], null); // an empty file (or only comments): no origins
        if (documents > 1) return new(null, "holds more than one YAML document; put every origin under one 'origins:'");
        var root = events.FindIndex(e => e is DocumentStart) + 1;
        if (events[root] is Scalar { Value: "" or "~" or "null" }) return new([], null);
        if (events[root] is not MappingStart) return new(null, "must be a mapping with the key 'origins'", events[root].Start);
        var entries = new List<(int, int)>();
        foreach (var key in KeysOf(events, root, End(events, root)))
        {
            if (key.Name != "origins")
                return new(null, $"unknown key '{key.Name}' (the file has one key, 'origins')", events[key.At].Start);
            var value = events[key.Value];
            if (value is Scalar { Value: "" or "~" or "null" }) continue;
            if (value is not SequenceStart) return new(null, "'origins' must be a list of entries", value.Start);
            for (var i = key.Value + 1; i < key.ValueEnd - 1; i = End(events, i)) entries.Add((i, End(events, i)));
        }
        return new(entries, null);
    }

    /// <summary>A mapping key: its name, the index of its event, and its value's event range.</summary>
    private readonly record struct MappingKey(string? Name, int At, int Value, int ValueEnd);

    /// <summary>The top-level keys of the mapping that starts at <paramref name="start"/>.</summary>
    private static List<MappingKey> KeysOf(List<ParsingEvent> events, int start, int end)
    {
        var keys = new List<MappingKey>();
        for (var i = start + 1; i < end - 1;)
        {
            var valueStart = End(events, i);
            var valueEnd = End(events, valueStart);
            keys.Add(new(events[i] is Scalar s ? s.Value : null, i, valueStart, valueEnd));
            i = valueEnd;
        }
        return keys;
    }

    private static int End(List<ParsingEvent> events, int i) => OriginsFileEntryReader.Next(events, i);
}
