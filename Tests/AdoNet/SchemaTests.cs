using Heck.Membership.AdoNet;
using Npgsql;

namespace Heck.Tests.AdoNet;

[Trait("Category", "Process")]
[Trait("Category", "PostgreSQL")]
[Collection(PostgresCollection.Name)]
public sealed class SchemaTests(PostgresFixture pg)
{
    /// <summary>What Orleans.Clustering.AdoNet 10.4.2 requires at start (note the lower-case "t" in UpdateIAmAlivetimeKey).</summary>
    public static readonly string[] RequiredKeys =
    [
        "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey",
        "UpdateIAmAlivetimeKey", "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
    ];

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Schema_applies_twice_and_defines_every_query_the_provider_needs()
    {
        var cs = await pg.CreateDatabaseAsync("schema_twice");
        using var cts = new CancellationTokenSource(Bound);

        await SchemaInstaller.ApplyAsync(cs, cts.Token);
        await SchemaInstaller.ApplyAsync(cs, cts.Token);

        var queries = await QueriesAsync(cs);
        Assert.Empty(RequiredKeys.Except(queries.Keys));
        Assert.Contains("CleanupDefunctSiloEntryKey", queries.Keys);
        Assert.All(RequiredKeys, key => Assert.Contains("@DeploymentId", queries[key], StringComparison.Ordinal));
        Assert.Equal(["orleansmembershiptable", "orleansmembershipversiontable", "orleansquery"], await TablesAsync(cs));
    }

    [Fact]
    public async Task Reapplying_restores_query_texts_and_keeps_rows()
    {
        var cs = await pg.CreateDatabaseAsync("schema_upgrade");
        using var cts = new CancellationTokenSource(Bound);
        await SchemaInstaller.ApplyAsync(cs, cts.Token);
        await ExecuteAsync(cs, "UPDATE OrleansQuery SET QueryText = 'SELECT 1' WHERE QueryKey = 'MembershipReadAllKey'");
        await ExecuteAsync(cs, "INSERT INTO OrleansMembershipVersionTable (DeploymentId, Version) VALUES ('kept', 7)");

        await SchemaInstaller.ApplyAsync(cs, cts.Token);

        var queries = await QueriesAsync(cs);
        Assert.Contains("LEFT JOIN OrleansMembershipTable", queries["MembershipReadAllKey"], StringComparison.Ordinal);
        Assert.Equal(7, await ScalarAsync<int>(cs, "SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = 'kept'"));
    }

    [Fact]
    public async Task Concurrent_installers_both_succeed()
    {
        var cs = await pg.CreateDatabaseAsync("schema_concurrent");
        using var cts = new CancellationTokenSource(Bound);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SchemaInstaller.ApplyAsync(cs, cts.Token)));

        Assert.Empty(RequiredKeys.Except((await QueriesAsync(cs)).Keys));
    }

    [Fact]
    public async Task A_failing_script_leaves_nothing_behind()
    {
        // The installer runs in one transaction: on a database where the script cannot finish
        // (OrleansQuery exists with an incompatible shape), none of its tables are created.
        var cs = await pg.CreateDatabaseAsync("schema_atomic");
        await ExecuteAsync(cs, "CREATE TABLE OrleansQuery (Unrelated integer)");
        using var cts = new CancellationTokenSource(Bound);

        await Assert.ThrowsAsync<PostgresException>(() => SchemaInstaller.ApplyAsync(cs, cts.Token));

        Assert.Equal(["orleansquery"], await TablesAsync(cs));
    }

    private static async Task<Dictionary<string, string>> QueriesAsync(string cs)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var result = new Dictionary<string, string>();
        while (await reader.ReadAsync()) result[reader.GetString(0)] = reader.GetString(1);
        return result;
    }

    private static async Task<List<string>> TablesAsync(string cs)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var result = new List<string>();
        while (await reader.ReadAsync()) result.Add(reader.GetString(0));
        return result;
    }

    internal static async Task ExecuteAsync(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<T> ScalarAsync<T>(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
