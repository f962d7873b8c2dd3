using Heck.Origins;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// What applying the origins file changes, worked out without I/O: the file is the desired state
/// of the origins it manages. Entries whose spec differs from the registry's are upserted (an
/// identical one is left alone, so re-applying writes nothing and gossips nothing); origins the
/// file managed before and no longer lists are deleted; origins it never managed are not touched.
/// A file that did not parse changes nothing and keeps managing what it managed.
/// </summary>
public sealed record OriginsFilePlan(
    IReadOnlyList<OriginSpec> Upserts,
    IReadOnlyList<string> Deletes,
    int Unchanged,
    IReadOnlySet<string> Managed)
{
    /// <param name="file">The file as just read.</param>
    /// <param name="managedBefore">The ids the file managed at its last apply (the state file).</param>
    /// <param name="current">The registry's spec of an id, or null when it is not registered.</param>
    public static OriginsFilePlan Make(OriginsFileContent file, IReadOnlySet<string> managedBefore, Func<string, OriginSpec?> current)
    {
        if (!file.Parsed) return new([], [], 0, managedBefore);
        var managed = new HashSet<string>(file.ManagedIds, StringComparer.Ordinal);
        var upserts = file.Specs.Where(s => !s.Equals(current(s.Id))).ToList();
        var deletes = managedBefore.Where(id => !managed.Contains(id) && current(id) is not null).Order(StringComparer.Ordinal).ToList();
        return new(upserts, deletes, file.Specs.Count - upserts.Count, managed);
    }
}
