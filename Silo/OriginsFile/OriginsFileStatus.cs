namespace Heck.Silo.OriginsFile;

/// <summary>
/// This silo's view of its origins file, for the API: which ids it manages (so writes to them are
/// refused) and how the last apply went (<c>GET /api/origins-file</c>). Replaced whole by the
/// applier; readers see one consistent snapshot.
/// </summary>
public sealed class OriginsFileStatus
{
    private volatile Snapshot _current;

    public OriginsFileStatus(string? path, IReadOnlySet<string> managed, OriginsFileContent? content)
    {
        _current = new Snapshot(path, content, managed, null);
    }

    public static OriginsFileStatus None { get; } = new(null, new HashSet<string>(), null);

    /// <summary>The configured file (as given), or null when there is none.</summary>
    public string? Path => _current.Path;

    public Snapshot Current => _current;

    /// <summary>
    /// True when the file manages <paramref name="id"/>: the file lists it, or (while the file does
    /// not parse) it managed it at its last good apply. <paramref name="entry"/> is its position in
    /// the file, when known.
    /// </summary>
    public bool Manages(string id, out int? entry)
    {
        var snapshot = _current;
        entry = snapshot.Content?.EntryOf(id);
        return snapshot.Path is not null && (entry is not null || snapshot.Managed.Contains(id));
    }

    internal void Update(OriginsFileContent content, IReadOnlySet<string> managed, ApplyReport? report) =>
        _current = new Snapshot(_current.Path, content, managed, report ?? _current.LastApply);

    public sealed record Snapshot(string? Path, OriginsFileContent? Content, IReadOnlySet<string> Managed, ApplyReport? LastApply);

    /// <summary>What one apply did; <see cref="Failures"/> are writes the cluster did not take (retried).</summary>
    public sealed record ApplyReport(DateTimeOffset At, IReadOnlyList<string> Upserted, IReadOnlyList<string> Deleted, int Unchanged, IReadOnlyList<string> Failures);
}
