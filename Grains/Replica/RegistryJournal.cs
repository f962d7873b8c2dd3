using Heck.Replication;
using Microsoft.Data.Sqlite;
using Orleans.Serialization;

namespace Heck.Grains.Replica;

/// <summary>
/// Keeps this silo's copy of the origin registry on disk (one row per origin id, in a SQLite
/// file in the silo's storage directory), so that a restarted silo, or a whole cluster restarted at once,
/// knows every origin without asking anyone. Of health it keeps only each origin's last shown record, rewritten
/// when it changed at each activity stamp, so a restarted silo (or a new generation in the same process) shows the
/// last verdict with its age until probes and gossip bring current ones.
/// Rows of removed origins go once their tombstone is pruned; a stamp says when this silo was last
/// active, so a restart can tell a journal too old to trust (see <see cref="JournalRecovery"/>).
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
    public IReadOnlyList<RegistryEntry> Load() =>
        ReadBlobs<RegistryEntry>("SELECT entry FROM replica_registry", required: true);

    /// <summary>Stores the current entry of each id, durably, in one transaction.</summary>
    public void Save(IReadOnlyCollection<RegistryEntry> entries) =>
        WriteRows(entries, "INSERT INTO replica_registry(id, entry) VALUES ($id, $blob) ON CONFLICT(id) DO UPDATE SET entry = excluded.entry",
            e => e.Id, e => _serializer.SerializeToArray(e));

    /// <summary>Deletes the rows of <paramref name="ids"/>, in one transaction.</summary>
    public void Delete(IReadOnlyCollection<string> ids) =>
        WriteRows(ids, "DELETE FROM replica_registry WHERE id = $id; DELETE FROM replica_health WHERE id = $id", i => i, blob: null);

    /// <summary>Stores each record as its origin's last shown health, in one transaction.</summary>
    public void SaveHealth(IReadOnlyCollection<SlotRecord> records) =>
        WriteRows(records, "INSERT INTO replica_health(id, record) VALUES ($id, $blob) ON CONFLICT(id) DO UPDATE SET record = excluded.record",
            r => r.OriginId, r => _serializer.SerializeToArray(r));

    /// <summary>Each origin's last shown health record, as <see cref="SaveHealth"/> stored it.</summary>
    public IReadOnlyList<SlotRecord> LoadHealth() =>
        ReadBlobs<SlotRecord>("SELECT record FROM replica_health", required: false);

    /// <summary>Runs <paramref name="sql"/> once per item (with <c>$id</c> and, when given, <c>$blob</c>), all in one transaction.</summary>
    private void WriteRows<T>(IReadOnlyCollection<T> items, string sql, Func<T, string> id, Func<T, byte[]>? blob)
    {
        if (items.Count == 0) return;
        lock (_lock)
        {
            var connection = Connection();
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            var idParameter = command.Parameters.Add("$id", SqliteType.Text);
            var blobParameter = blob is null ? null : command.Parameters.Add("$blob", SqliteType.Blob);
            foreach (var item in items)
            {
                idParameter.Value = id(item);
                if (blobParameter is not null) blobParameter.Value = blob!(item);
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    /// <summary>The first column of every row, deserialized; an empty blob is an error when <paramref name="required"/>, else skipped.</summary>
    private List<T> ReadBlobs<T>(string sql, bool required) where T : class
    {
        lock (_lock)
        {
            using var command = Connection().CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var items = new List<T>();
            while (reader.Read())
            {
                if (_serializer.Deserialize<T>(reader.GetFieldValue<byte[]>(0)) is { } item) items.Add(item);
                else if (required) throw new InvalidDataException($"an empty {typeof(T).Name} row in {_path}");
            }
            return items;
        }
    }

    /// <summary>How many rows the journal holds.</summary>
    public int RowCount()
    {
        lock (_lock)
        {
            using var command = Connection().CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM replica_registry";
            return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>When this silo last stamped the journal as active; null when it never did.</summary>
    public DateTimeOffset? LastActive()
    {
        lock (_lock)
        {
            using var command = Connection().CreateCommand();
            command.CommandText = "SELECT value FROM replica_meta WHERE key = 'last_active_ms'";
            return command.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    /// <summary>
    /// Stamps the journal as active at <paramref name="now"/> and, when given, replaces the stored
    /// set of peers this replica gossips with or still waits for, in one transaction.
    /// </summary>
    public void StampActive(DateTimeOffset now, IReadOnlyCollection<ReplicaId>? peers = null)
    {
        lock (_lock)
        {
            var connection = Connection();
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO replica_meta(key, value) VALUES ('last_active_ms', $ms) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            command.Parameters.AddWithValue("$ms", now.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            if (peers is not null)
            {
                using var clear = connection.CreateCommand();
                clear.Transaction = transaction;
                clear.CommandText = "DELETE FROM replica_peers";
                clear.ExecuteNonQuery();
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT OR IGNORE INTO replica_peers(address, generation) VALUES ($address, $generation)";
                var address = insert.Parameters.Add("$address", SqliteType.Text);
                var generation = insert.Parameters.Add("$generation", SqliteType.Integer);
                foreach (var peer in peers)
                {
                    address.Value = peer.Address;
                    generation.Value = peer.Generation;
                    insert.ExecuteNonQuery();
                }
            }
            transaction.Commit();
        }
    }

    /// <summary>The peers stored by the last <see cref="StampActive"/> that named them.</summary>
    public IReadOnlyList<ReplicaId> Peers()
    {
        lock (_lock)
        {
            using var command = Connection().CreateCommand();
            command.CommandText = "SELECT address, generation FROM replica_peers";
            using var reader = command.ExecuteReader();
            var peers = new List<ReplicaId>();
            while (reader.Read()) peers.Add(new ReplicaId(reader.GetString(0), reader.GetInt32(1)));
            return peers;
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
                CREATE TABLE IF NOT EXISTS replica_health (id TEXT NOT NULL PRIMARY KEY, record BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS replica_meta (key TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS replica_peers (address TEXT NOT NULL, generation INTEGER NOT NULL, PRIMARY KEY (address, generation));
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
