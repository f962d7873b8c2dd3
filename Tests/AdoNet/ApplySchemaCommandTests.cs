using Npgsql;

namespace Heck.Tests.AdoNet;

/// <summary><c>Silo apply-schema</c>: the command a user runs against their own database.</summary>
[Trait("Category", "Process")]
[Trait("Category", "PostgreSQL")]
[Collection(PostgresCollection.Name)]
public sealed class ApplySchemaCommandTests(PostgresFixture pg)
{
    [Fact]
    public async Task Apply_schema_installs_the_queries_and_can_run_again()
    {
        var connectionString = await pg.CreateDatabaseAsync("cmd");
        for (var run = 0; run < 2; run++)
        {
            var (code, output) = await SiloProcess.RunToExitAsync(
                ["apply-schema", $"--Heck:AdoNet:ConnectionString={connectionString}"], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, output);
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM OrleansQuery", connection);
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 9);
    }

    [Fact]
    public async Task Apply_schema_without_a_connection_string_names_the_key()
    {
        var (code, output) = await SiloProcess.RunToExitAsync(["apply-schema"], TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("Heck:AdoNet:ConnectionString", output);
    }
}
