using Orleans.Runtime;

namespace Heck.Grains.Storage;

/// <summary>Where and how <see cref="SqliteGrainStorage"/> keeps its database.</summary>
public sealed class SqliteStorageOptions
{
    public const string DefaultDirectoryPath = "data";
    public const string DefaultFileName = "heck.db";

    /// <summary>Directory of the database; relative paths resolve against the working directory. Created if missing.</summary>
    public string DirectoryPath { get; set; } = DefaultDirectoryPath;

    /// <summary>Database file name inside <see cref="DirectoryPath"/>.</summary>
    public string FileName { get; set; } = DefaultFileName;

    /// <summary>How long a statement waits for a lock held by another connection (another process on the same file).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Absolute path of the database file (valid options only).</summary>
    public string DatabasePath => Path.GetFullPath(Path.Combine(DirectoryPath, FileName));

    /// <summary>Every problem with these options, each naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DirectoryPath))
            errors.Add($"{nameof(DirectoryPath)} must name a directory");
        else if (DirectoryPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            errors.Add($"{nameof(DirectoryPath)} is not a valid path (was '{DirectoryPath}')");

        if (string.IsNullOrWhiteSpace(FileName))
            errors.Add($"{nameof(FileName)} must name a file");
        else if (FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || FileName is "." or "..")
            errors.Add($"{nameof(FileName)} must be a plain file name, not a path (was '{FileName}')");

        // busy_timeout takes whole milliseconds as an int.
        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout.TotalMilliseconds > int.MaxValue)
            errors.Add($"{nameof(BusyTimeout)} must be positive and below {int.MaxValue} ms (was {BusyTimeout})");
        return errors;
    }

    /// <summary>Throws <see cref="OrleansConfigurationException"/> naming the provider and every bad option.</summary>
    public void ThrowIfInvalid(string providerName)
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new OrleansConfigurationException(
                $"SQLite grain storage '{providerName}' is misconfigured: {string.Join("; ", errors)}");
    }
}

/// <summary>Runs before the silo starts, so that bad options stop it before any grain runs.</summary>
internal sealed class SqliteStorageOptionsValidator(SqliteStorageOptions options, string providerName) : IConfigurationValidator
{
    public void ValidateConfiguration() => options.ThrowIfInvalid(providerName);
}
