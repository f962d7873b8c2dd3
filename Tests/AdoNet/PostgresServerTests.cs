using Npgsql;

namespace Heck.Tests.AdoNet;

/// <summary>The throwaway server itself: it cleans up after itself, and says what to install when PostgreSQL is missing.</summary>
[Trait("Category", "Process")]
[Trait("Category", "PostgreSQL")]
public sealed class PostgresServerTests
{
    [Fact]
    public async Task Dispose_stops_the_server_it_started_and_deletes_its_folder()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var server = await PostgresServer.StartAsync(cts.Token);
        var root = server.Root;
        var pid = server.PostmasterPid;
        try
        {
            Assert.True(server.IsRunning);
            await using (var connection = new NpgsqlConnection(server.ConnectionString("postgres")))
            {
                await connection.OpenAsync(cts.Token);
                await using var command = new NpgsqlCommand("SELECT current_user", connection);
                Assert.Equal(PostgresServer.Superuser, await command.ExecuteScalarAsync(cts.Token));
            }
            Assert.True(File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")));
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.False(Directory.Exists(root));
        Assert.False(server.IsRunning);
        Assert.False(File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains(root, StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_binaries_fail_with_a_message_that_says_what_to_install()
    {
        var nowhere = Path.Combine(Path.GetTempPath(), "heck-no-postgres-" + Guid.NewGuid().ToString("N"));
        var candidates = PostgresBinaries.Candidates(overrideDir: null, libRoot: nowhere, path: nowhere);

        var ex = Assert.Throws<InvalidOperationException>(() => PostgresBinaries.Find(candidates));

        Assert.Contains("initdb", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Install the 'postgresql' package", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_newest_installed_major_version_is_preferred()
    {
        var root = Path.Combine(Path.GetTempPath(), "heck-pg-versions-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var v in new[] { "9", "15", "13" })
            {
                var bin = Path.Combine(root, v, "bin");
                Directory.CreateDirectory(bin);
                File.WriteAllText(Path.Combine(bin, "initdb"), "");
                File.WriteAllText(Path.Combine(bin, "pg_ctl"), "");
            }

            var found = PostgresBinaries.Find(PostgresBinaries.Candidates(null, root, null));

            Assert.Equal("15", found.Version);
            Assert.Equal(Path.Combine(root, "15", "bin", "initdb"), found.InitDb);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
