using Heck.Membership.AdoNet;
using Npgsql;

namespace Heck.Tests.AdoNet;

/// <summary>
/// One throwaway PostgreSQL server for the whole <see cref="PostgresCollection"/>, with a database
/// (<see cref="ConnectionString"/>) that already has Heck's clustering schema. Tests isolate
/// themselves with their own cluster id, or ask for a fresh database with
/// <see cref="CreateDatabaseAsync"/>. Missing PostgreSQL binaries fail the tests (they are not
/// skipped): the message says to install the <c>postgresql</c> package.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string DatabaseName = "heck_membership";
    private PostgresServer? _server;
    private int _databases;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture did not start.");

    /// <summary>The shared database, schema applied.</summary>
    public string ConnectionString => Server.ConnectionString(DatabaseName);

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _server = await PostgresServer.StartAsync(cts.Token);
        try
        {
            await CreateDatabaseAsync(DatabaseName, cts.Token);
            await SchemaInstaller.ApplyAsync(ConnectionString, cts.Token);
        }
        catch
        {
            await StopServerAsync();
            throw;
        }
    }

    /// <summary>A new empty database (no schema) on the fixture's server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant();
        await CreateDatabaseAsync(name, cts.Token);
        return Server.ConnectionString(name);
    }

    private async Task CreateDatabaseAsync(string name, CancellationToken ct)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, @"^[a-z_][a-z0-9_]{0,62}\z"))
            throw new ArgumentException($"Not a plain database name: {name}", nameof(name));
        await using var connection = new NpgsqlConnection(Server.ConnectionString("postgres"));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task DisposeAsync() => StopServerAsync();

    /// <summary>Drops the pooled connections to the server (it knows no client library), then stops it.</summary>
    private async Task StopServerAsync()
    {
        if (_server is null) return;
        NpgsqlConnection.ClearAllPools();
        await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
