using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Heck.Grains.Storage;

/// <summary>
/// Durable grain storage in one SQLite file, for the single-machine default run. One row per
/// (grain type, state name, grain key) holds an etag and the state in Orleans' own binary
/// format, which is version tolerant for <c>[GenerateSerializer]</c> types with <c>[Id]</c>s.
/// </summary>
/// <remarks>
/// WAL with synchronous=NORMAL: a commit survives a crash of the process (SIGKILL) though not
/// necessarily a power cut, and writes do not fsync one by one. Writes share one connection
/// behind an async lock: SQLite admits one writer anyway, and queueing here avoids its sleeping
/// busy handler. Reads take pooled connections and run beside writes (WAL readers never block).
/// Etags are random, so a stale etag never matches a row that was cleared and written again.
/// </remarks>
public sealed class SqliteGrainStorage : IGrainStorage, IStoredGrainIndex, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private const int SchemaVersion = 1;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type   TEXT NOT NULL,
            state_name   TEXT NOT NULL,
            grain_key    TEXT NOT NULL,
            etag         TEXT NOT NULL,
            payload      BLOB NOT NULL,
            modified_utc TEXT NOT NULL,
            PRIMARY KEY (grain_type, state_name, grain_key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS storage_meta (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO storage_meta (key, value) VALUES ('schema_version', $version) ON CONFLICT (key) DO NOTHING;
        """;

    private const string RowMatch = "grain_type = $type AND state_name = $state AND grain_key = $key";

    private readonly string _name;
    private readonly SqliteStorageOptions _options;
    private readonly Serializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger<SqliteGrainStorage> _logger;
    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _gate = new();
    private SqliteConnection? _writer; // guarded by _gate to open/close, by _writeLock to use
    private bool _disposed;

    public SqliteGrainStorage(string name, SqliteStorageOptions options, Serializer serializer,
        IActivatorProvider activators, ILogger<SqliteGrainStorage> logger)
    {
        options.ThrowIfInvalid(name);
        _name = name;
        _options = options;
        _serializer = serializer;
        _activators = activators;
        _logger = logger;
        DatabasePath = options.DatabasePath;
        _writerConnectionString = ConnectionString(SqliteOpenMode.ReadWriteCreate, pooling: false);
        _readerConnectionString = ConnectionString(SqliteOpenMode.ReadWrite, pooling: true);
    }

    /// <summary>Absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>
    /// Opens (creating if needed) the database and proves it writable. Idempotent; the silo
    /// lifecycle calls it at start, and any operation calls it if nothing did.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database cannot be opened or written; the message names its path.</exception>
    public void Open()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer ??= OpenWriter();
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        // Before grains run, so that a bad path stops the silo at start rather than at a first write.
        lifecycle.Subscribe($"{nameof(SqliteGrainStorage)}-{_name}", ServiceLifecycleStage.RuntimeStorageServices,
            _ => { Open(); return Task.CompletedTask; },
            _ => { Close(); return Task.CompletedTask; });

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var row = RowKey.Of(grainId, stateName);
        await using var connection = OpenReader();
        await using var command = Command(connection, $"SELECT etag, payload FROM grain_state WHERE {RowMatch}", row);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            var etag = reader.GetString(0);
            var state = Deserialize<T>(reader.GetFieldValue<byte[]>(1), row);
            grainState.State = state is null ? CreateInstance<T>() : state;
            grainState.ETag = etag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var row = RowKey.Of(grainId, stateName);
        var payload = _serializer.SerializeToArray(grainState.State); // outside the lock: writers queue only for SQLite
        var etag = Guid.NewGuid().ToString("N");
        var expected = grainState.ETag;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var writer = Writer();
            // No etag means "I believe there is no row": insert, and a row that exists is a conflict.
            var sql = expected is null
                ? "INSERT INTO grain_state (grain_type, state_name, grain_key, etag, payload, modified_utc) " +
                  "VALUES ($type, $state, $key, $etag, $payload, $now) ON CONFLICT DO NOTHING"
                : $"UPDATE grain_state SET etag = $etag, payload = $payload, modified_utc = $now WHERE {RowMatch} AND etag = $expected";
            await using var command = Command(writer, sql, row);
            command.Parameters.AddWithValue("$etag", etag);
            command.Parameters.AddWithValue("$payload", payload);
            command.Parameters.AddWithValue("$now", DateTime.UtcNow.ToString("O"));
            if (expected is not null) command.Parameters.AddWithValue("$expected", expected);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
                throw Conflict("write", row, await StoredEtagAsync(writer, row, cancellationToken), expected);
        }
        finally
        {
            _writeLock.Release();
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var row = RowKey.Of(grainId, stateName);
        var expected = grainState.ETag;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var writer = Writer();
            if (expected is null)
            {
                // Clearing what one believes absent succeeds only if it is absent.
                if (await StoredEtagAsync(writer, row, cancellationToken) is { } stored)
                    throw Conflict("clear", row, stored, expected);
            }
            else
            {
                await using var command = Command(writer, $"DELETE FROM grain_state WHERE {RowMatch} AND etag = $expected", row);
                command.Parameters.AddWithValue("$expected", expected);
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
                    throw Conflict("clear", row, await StoredEtagAsync(writer, row, cancellationToken), expected);
            }
        }
        finally
        {
            _writeLock.Release();
        }

        grainState.State = CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    public async Task<IReadOnlyList<string>> ListKeysAsync(string grainType, string stateName, CancellationToken ct)
    {
        await using var connection = OpenReader();
        await using var command = Command(connection,
            "SELECT grain_key FROM grain_state WHERE grain_type = $type AND state_name = $state ORDER BY grain_key",
            new RowKey(grainType, stateName, ""));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var keys = new List<string>();
        while (await reader.ReadAsync(ct)) keys.Add(reader.GetString(0));
        return keys;
    }

    public void Dispose()
    {
        lock (_gate) _disposed = true;
        Close();
    }

    private string ConnectionString(SqliteOpenMode mode, bool pooling) => new SqliteConnectionStringBuilder
    {
        DataSource = DatabasePath,
        Mode = mode,
        Cache = SqliteCacheMode.Private,
        Pooling = pooling,
        // Microsoft.Data.Sqlite retries SQLITE_BUSY for up to the command timeout (whole seconds).
        DefaultTimeout = Math.Max(1, (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds)),
    }.ToString();

    private SqliteConnection OpenWriter()
    {
        SqliteConnection? connection = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            connection = new SqliteConnection(_writerConnectionString);
            connection.Open();
            var journal = Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"));
            Execute(connection, $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {(int)_options.BusyTimeout.TotalMilliseconds}");
            using (var schema = connection.CreateCommand())
            {
                schema.CommandText = Schema;
                schema.Parameters.AddWithValue("$version", SchemaVersion.ToString());
                schema.ExecuteNonQuery();
            }

            var version = Convert.ToString(Scalar(connection, "SELECT value FROM storage_meta WHERE key = 'schema_version'"));
            if (version != SchemaVersion.ToString())
                throw new InvalidOperationException($"schema version {version} is not {SchemaVersion} (written by another Heck version?)");

            // A real write at open, so that a read-only file or directory fails the start, not a grain.
            Execute(connection, "INSERT INTO storage_meta (key, value) VALUES ('opened_utc', strftime('%Y-%m-%dT%H:%M:%fZ')) " +
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
                _logger.LogWarning("SQLite grain storage {Name} at {Path} runs in journal mode {Mode}, not WAL", _name, DatabasePath, journal);
            _logger.LogInformation("SQLite grain storage {Name} opened at {Path}", _name, DatabasePath);
            return connection;
        }
        catch (Exception ex)
        {
            connection?.Dispose();
            throw new InvalidOperationException(
                $"SQLite grain storage '{_name}' cannot open its database at '{DatabasePath}': {ex.Message}", ex);
        }
    }

    private void Close()
    {
        _writeLock.Wait(); // writes are short; this waits for at most the one in flight
        try
        {
            lock (_gate)
            {
                if (_writer is null) return;
                _writer.Dispose();
                _writer = null;
                // Idle pooled readers keep the file open; in-use ones are discarded when returned.
                using var pooled = new SqliteConnection(_readerConnectionString);
                SqliteConnection.ClearPool(pooled);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The writer connection; call only while holding <see cref="_writeLock"/>.</summary>
    private SqliteConnection Writer()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _writer ??= OpenWriter();
        }
    }

    private SqliteConnection OpenReader()
    {
        Open(); // the writer creates the file and schema first
        var connection = new SqliteConnection(_readerConnectionString);
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, RowKey row)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$type", row.GrainType);
        command.Parameters.AddWithValue("$state", row.StateName);
        command.Parameters.AddWithValue("$key", row.GrainKey);
        return command;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task<string?> StoredEtagAsync(SqliteConnection connection, RowKey row, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, $"SELECT etag FROM grain_state WHERE {RowMatch}", row);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private T? Deserialize<T>(byte[] payload, RowKey row)
    {
        try
        {
            return _serializer.Deserialize<T>(payload);
        }
        catch (Exception ex)
        {
            // Never hand a grain a default state in place of one it cannot read: it would overwrite it.
            throw new InvalidOperationException(
                $"SQLite grain storage '{_name}' cannot read the stored {row} in '{DatabasePath}' as {typeof(T)}: {ex.Message}", ex);
        }
    }

    private T CreateInstance<T>() => _activators.GetActivator<T>().Create();

    private InconsistentStateException Conflict(string operation, RowKey row, string? stored, string? given) =>
        new($"SQLite grain storage '{_name}': etag mismatch on {operation} of {row} " +
            $"(stored {stored ?? "none"}, given {given ?? "none"})", stored, given);

    private readonly record struct RowKey(string GrainType, string StateName, string GrainKey)
    {
        public static RowKey Of(GrainId grainId, string stateName) =>
            new(grainId.Type.ToString()!, stateName, grainId.Key.ToString()!);

        public override string ToString() => $"state '{StateName}' of {GrainType}/{GrainKey}";
    }
}
