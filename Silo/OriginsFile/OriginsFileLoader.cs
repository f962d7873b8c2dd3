using Heck.Origins;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// Reads the origins file (<c>Heck:OriginsFile</c>): YAML with the API's field names,
/// <code>
/// origins:
///   - id: web
///     url: https://example.com/health
///     intervalMs: 5000
/// </code>
/// Never throws: a file that cannot be read or parsed is one file-level error; otherwise each
/// entry is read and validated on its own, so a bad entry is reported (its position, id and key)
/// while the others stand.
/// </summary>
public static class OriginsFileLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build(); // unknown fields are errors (the default), so typos are caught

    public static OriginsFileContent Load(string path)
    {
        try
        {
            return Parse(path, File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return OriginsFileContent.Unreadable(path, $"cannot be read: {ex.Message}");
        }
    }

    public static OriginsFileContent Parse(string path, string text)
    {
        List<ParsingEvent> events;
        try
        {
            events = ReadEvents(text);
        }
        catch (YamlException ex)
        {
            return OriginsFileContent.Unreadable(path, $"line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}");
        }
        var found = FindEntries(events);
        if (found.Error is not null) return OriginsFileContent.Unreadable(path, found.Error);

        var errors = new List<OriginsFileError>();
        var specs = new List<OriginSpec>();
        var managed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < found.Entries!.Count; i++)
        {
            var (start, end) = found.Entries[i];
            var n = i + 1;
            if (events[start] is Scalar { Value: "" or "~" or "null" })
            {
                errors.Add(new(n, null, "entry", "is empty"));
                continue;
            }
            if (events[start] is not MappingStart)
            {
                errors.Add(new(n, null, "entry", $"line {events[start].Start.Line}: must be a mapping of keys (id, url, …)"));
                continue;
            }
            var keys = KeysOf(events, start, end);
            // The id is read before the rest, so an entry with a bad key still names its origin, and the
            // file keeps managing it (its last good spec stays) instead of deleting it.
            var id = keys.Where(k => k.Name == "id").Select(k => events[k.Value]).OfType<Scalar>().FirstOrDefault()?.Value;
            if (id is not null && OriginValidator.CheckId(id) is null && !managed.TryAdd(id, n))
            {
                errors.Add(new(n, id, "id", $"appears more than once in the file (first in entry {managed[id]})"));
                continue;
            }

            OriginInput? input;
            try
            {
                input = Yaml.Deserialize<OriginInput>(new EventSlice(events, start, end));
            }
            catch (YamlException ex)
            {
                // Name the key at fault: the failing event is either a key (unknown) or inside a key's value.
                var at = IndexAt(events, ex.Start, start, end);
                var key = keys.FirstOrDefault(k => k.At == at || (k.Value <= at && at < k.ValueEnd));
                var message = key.Name is not null && key.At == at ? "unknown field" : ex.InnerException?.Message ?? ex.Message;
                errors.Add(new(n, id, key.Name ?? "entry", $"line {ex.Start.Line}, column {ex.Start.Column}: {message}"));
                continue;
            }
            var fieldErrors = OriginValidator.Validate(id, input ?? new OriginInput(), out var spec);
            errors.AddRange(fieldErrors.Select(e => new OriginsFileError(n, id, e.Field, e.Message)));
            if (spec is not null) specs.Add(spec);
        }
        return new OriginsFileContent(path, parsed: true, specs, managed, errors);
    }

    private static List<ParsingEvent> ReadEvents(string text)
    {
        var parser = new Parser(new StringReader(text));
        var events = new List<ParsingEvent>();
        while (parser.MoveNext()) events.Add(parser.Current!);
        return events;
    }

    private sealed record Found(List<(int Start, int End)>? Entries, string? Error);

    /// <summary>The <c>origins</c> sequence's items as event ranges, or why the file's shape is wrong.</summary>
    private static Found FindEntries(List<ParsingEvent> events)
    {
        var documents = events.Count(e => e is DocumentStart);
        if (documents == 0) return new([], null); // an empty file (or only comments): no origins
        if (documents > 1) return new(null, "holds more than one YAML document; put every origin under one 'origins:'");
        var root = events.FindIndex(e => e is DocumentStart) + 1;
        if (events[root] is Scalar { Value: "" or "~" or "null" }) return new([], null);
        if (events[root] is not MappingStart) return new(null, $"line {events[root].Start.Line}: must be a mapping with the key 'origins'");
        var entries = new List<(int, int)>();
        foreach (var key in KeysOf(events, root, End(events, root)))
        {
            if (key.Name != "origins")
                return new(null, $"line {events[key.At].Start.Line}: unknown key '{key.Name}' (the file has one key, 'origins')");
            var value = events[key.Value];
            if (value is Scalar { Value: "" or "~" or "null" }) continue;
            if (value is not SequenceStart) return new(null, $"line {value.Start.Line}: 'origins' must be a list of entries");
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

    /// <summary>The index just past the node that starts at <paramref name="i"/>.</summary>
    private static int End(List<ParsingEvent> events, int i)
    {
        var depth = 0;
        do
        {
            depth += events[i].NestingIncrease;
            i++;
        } while (depth > 0 && i < events.Count);
        return i;
    }

    private static int IndexAt(List<ParsingEvent> events, Mark mark, int start, int end)
    {
        for (var i = start; i < end; i++)
            if (events[i].Start.Equals(mark)) return i;
        return -1;
    }

    /// <summary>Replays a range of already-parsed events, so one entry is deserialized on its own.</summary>
    private sealed class EventSlice(List<ParsingEvent> events, int start, int end) : IParser
    {
        private int _next = start;

        public ParsingEvent? Current { get; private set; }

        public bool MoveNext()
        {
            if (_next >= end)
            {
                Current = null;
                return false;
            }
            Current = events[_next++];
            return true;
        }
    }
}
