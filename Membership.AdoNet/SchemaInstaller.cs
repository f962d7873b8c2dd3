using Npgsql;

namespace Heck.Membership.AdoNet;

/// <summary>
/// Applies <c>postgresql-clustering.sql</c> (embedded in this assembly): the tables and the named
/// queries that Orleans' ADO.NET clustering provider reads at start. The script is idempotent,
/// so applying it again is harmless and brings the query texts up to date.
/// </summary>
public static class SchemaInstaller
{
    /// <summary>Manifest name of the embedded script.</summary>
    public const string ResourceName = "Heck.Membership.AdoNet.postgresql-clustering.sql";

    private static readonly Lazy<string> _script = new(LoadScript);

    /// <summary>The script text, for operators who prefer to apply it with their own tools (psql -f).</summary>
    public static string Script => _script.Value;

    /// <summary>
    /// Connects with <paramref name="connectionString"/> (the database must exist) and applies the
    /// script in one transaction: either all of it takes effect or none of it.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is missing or malformed; the message names <c>Heck:AdoNet:ConnectionString</c>.</exception>
    public static async Task ApplyAsync(string connectionString, CancellationToken ct)
    {
        var error = HeckAdoNetClustering.ValidateConnectionString(connectionString);
        if (error is not null) throw new ArgumentException(error, nameof(connectionString));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(Script, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    private static string LoadScript()
    {
        using var stream = typeof(SchemaInstaller).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"The embedded resource '{ResourceName}' is missing from {typeof(SchemaInstaller).Assembly.GetName().Name}; " +
                "Membership.AdoNet.csproj must embed postgresql-clustering.sql under that name.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
