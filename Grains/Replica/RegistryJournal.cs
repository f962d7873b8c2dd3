using Heck.Replication;
using Microsoft.Data.Sqlite;
using Orleans.Serialization;

namespace Heck.Grains.Replica;

/// <summary>
/// Keeps this silo's copy of the origin registry on disk (one row per origin id, in a SQLite
/// file in the silo's storage directory), so that a restarted silo, or a whole cluster restarted at once,
/// knows every origin without asking anyone. Health is not kept: it is re-probed within an interval.
/// </summary>
public sealed class RegistryJournal : IDisposable
{
    private readonly string _path;
    private readonly Serializer _serializer;
    private readonly Lock _lock = new();
    private SqliteConnection? _connection;

    public RegistryJournal(string directory, Serializer serializer)
    {
        _path = Path.Combine(directory, "heck.db");
        _serializer = serializer;
    }

    public string DatabasePath => _path;

    /// <summary>Every stored entry, live and removed.</summary>
    public IReadOnlyList<RegistryEntry> Load()
    {
        lock (_lock)
        {
            using var command = Connection().CreateCommand();
            command.CommandText = "SELECT entry FROM replica_registry";
            using var reader = command.ExecuteReader();
            var entries = new List<RegistryEntry>();
            while (reader.Read()) entries.Add(_serializer.Deserialize<RegistryEntry>(reader.GetFieldValue<byte[]>(0)) ?? throw new InvalidDataException($"an empty registry entry in {_path}"));
            return entries;
        }
    }

    /// <summary>Stores the current entry of each id, durably, in one transaction.</summary>
    public void Save(IReadOnlyCollection<RegistryEntry> entries)
    {
        if (entries.Count == 0) return;
        lock (_lock)
        {
            var connection = Connection();
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO replica_registry(id, entry) VALUES ($id, $entry) ON CONFLICT(id) DO UPDATE SET entry = excluded.entry";
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var entry = command.Parameters.Add("$entry", SqliteType.Blob);
            foreach (var e in entries)
            {
                id.Value = e.Id;
                entry.Value = _serializer.SerializeToArray(e);
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    private SqliteConnection Connection()
    {
        if (_connection is not null) return _connection;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            // WAL + NORMAL survives a process crash; the busy timeout covers grain storage's writer.
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                PRAGMA busy_timeout = 5000;
                CREATE TABLE IF NOT EXISTS replica_registry (id TEXT NOT NULL PRIMARY KEY, entry BLOB NOT NULL);
                """;
            command.ExecuteNonQuery();
            return _connection = connection;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The replica cannot open its registry journal at '{_path}': {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }
}
