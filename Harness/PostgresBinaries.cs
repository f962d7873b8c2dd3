namespace Heck.Harness;

/// <summary>Where the machine's PostgreSQL server programs are.</summary>
public sealed record PostgresBinaries(string InitDb, string PgCtl, string Version)
{
    public const string InstallHint =
        "Install the 'postgresql' package (Debian/Ubuntu: apt-get update && apt-get install -y postgresql, " +
        "or run .ci/postgres.sh), or point HECK_POSTGRES_BIN at a directory holding initdb and pg_ctl.";

    /// <summary>
    /// Looks in <c>$HECK_POSTGRES_BIN</c>, then <c>/usr/lib/postgresql/*/bin</c> (newest version
    /// first), then <c>PATH</c>. Throws, naming the package to install, when none has both programs.
    /// </summary>
    public static PostgresBinaries Find() =>
        Find(Candidates(Environment.GetEnvironmentVariable("HECK_POSTGRES_BIN"), "/usr/lib/postgresql",
            Environment.GetEnvironmentVariable("PATH")));

    public static PostgresBinaries Find(IReadOnlyList<string> directories)
    {
        foreach (var dir in directories)
        {
            var initdb = Path.Combine(dir, "initdb");
            var pgctl = Path.Combine(dir, "pg_ctl");
            if (File.Exists(initdb) && File.Exists(pgctl))
                return new PostgresBinaries(initdb, pgctl, VersionOf(dir));
        }
        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb and pg_ctl) were not found; the ADO.NET membership tests and the detect " +
            "benchmark's AdoNet rounds need a real " +
            $"PostgreSQL. {InstallHint} Searched: {(directories.Count == 0 ? "(nothing)" : string.Join(", ", directories))}.");
    }

    public static List<string> Candidates(string? overrideDir, string libRoot, string? path)
    {
        var list = new List<string>();
        if (!string.IsNullOrWhiteSpace(overrideDir)) list.Add(overrideDir);
        if (Directory.Exists(libRoot))
        {
            list.AddRange(Directory.GetDirectories(libRoot)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d).Split('.')[0], out var major) ? major : -1)
                .Select(d => Path.Combine(d, "bin")));
        }
        if (!string.IsNullOrEmpty(path))
            list.AddRange(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return list;
    }

    private static string VersionOf(string binDir)
    {
        var parent = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(binDir).TrimEnd('/')) ?? "");
        return string.IsNullOrEmpty(parent) ? "?" : parent;
    }
}
