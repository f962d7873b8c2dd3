using Heck.Origins;

namespace Heck.Silo.OriginsFile;

/// <summary>One problem in the origins file: the whole file (<see cref="Entry"/> null) or one entry and key.</summary>
/// <param name="Entry">The entry's position in the file, from 1; null when the file as a whole is bad.</param>
/// <param name="Id">The entry's id when it could be read.</param>
/// <param name="Key">The entry's key at fault as the file spells it (<c>intervalMs</c>, <c>headers.Host</c>, <c>timeoutMS</c>), or <c>file</c>/<c>entry</c>.</param>
/// <param name="Line">Where in the file, from 1, when known.</param>
/// <param name="Column">Where in the line, from 1, when known.</param>
public sealed record OriginsFileError(int? Entry, string? Id, string Key, string Message, int? Line = null, int? Column = null)
{
    /// <summary>
    /// The line a log shows, as compilers write it:
    /// <c>origins.yaml:7:5: origins[2].timeoutMS: unknown field; did you mean timeoutMs?</c>
    /// (<c>origins[i]</c> counts from 0, as in the YAML path; <see cref="Entry"/> counts from 1).
    /// </summary>
    public string Describe(string path) =>
        path + (Line is { } line ? $":{line}" + (Column is { } column ? $":{column}" : "") : "") + ": " +
        (Entry is { } n ? $"origins[{n - 1}]" + (Key == "entry" ? "" : $".{Key}") + ": " : "") + Message;
}

/// <summary>
/// What the origins file says, entry by entry. A file that could not be read or parsed has
/// <see cref="Parsed"/> false and one file-level error; otherwise each entry with a readable id
/// is <em>managed</em> (even when another of its keys is bad), and each valid entry has a spec.
/// </summary>
public sealed class OriginsFileContent
{
    private readonly Dictionary<string, int> _entryOf;

    public OriginsFileContent(string path, bool parsed, IReadOnlyList<OriginSpec> specs,
        IReadOnlyDictionary<string, int> managed, IReadOnlyList<OriginsFileError> errors)
    {
        Path = path;
        Parsed = parsed;
        Specs = specs;
        Errors = errors;
        _entryOf = new Dictionary<string, int>(managed, StringComparer.Ordinal);
    }

    public static OriginsFileContent Unreadable(string path, string message, int? line = null, int? column = null) =>
        new(path, parsed: false, [], new Dictionary<string, int>(), [new OriginsFileError(null, null, "file", message, line, column)]);

    public string Path { get; }
    public bool Parsed { get; }

    /// <summary>The valid entries, in file order.</summary>
    public IReadOnlyList<OriginSpec> Specs { get; }

    public IReadOnlyList<OriginsFileError> Errors { get; }

    /// <summary>Ids of every entry whose id could be read, valid or not.</summary>
    public IReadOnlyCollection<string> ManagedIds => _entryOf.Keys;

    /// <summary>The entry (from 1) that declares <paramref name="id"/>, or null.</summary>
    public int? EntryOf(string id) => _entryOf.TryGetValue(id, out var n) ? n : null;
}
