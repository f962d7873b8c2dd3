using Heck.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;

namespace Heck.Tests.Storage;

[Trait("Category", "Cluster")]
public sealed class SqliteGrainStorageTests : IDisposable
{
    private const string DirectoryKey = "HeckTests:SqliteStorageDirectory";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "heck-sqlite-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(CounterState).Assembly))
        .BuildServiceProvider();

    private string Dir => Path.Combine(_root, "data");

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task State_written_through_a_silo_survives_a_silo_restart()
    {
        await using (var cluster = await StartClusterAsync(Dir))
        {
            Assert.Equal(5, await cluster.GrainFactory.GetGrain<IStorageCounterGrain>("a").Add(5).WaitAsync(Timeout));
            Assert.Equal(7, await cluster.GrainFactory.GetGrain<IStorageCounterGrain>("b").Add(7).WaitAsync(Timeout));
            await cluster.StopAllSilosAsync().WaitAsync(Timeout);
        }

        Assert.True(File.Exists(Path.Combine(Dir, "heck.db")));
        await using (var cluster = await StartClusterAsync(Dir))
        {
            Assert.Equal(5, await cluster.GrainFactory.GetGrain<IStorageCounterGrain>("a").Get().WaitAsync(Timeout));
            Assert.Equal(8, await cluster.GrainFactory.GetGrain<IStorageCounterGrain>("b").Add(1).WaitAsync(Timeout));

            var silo = (InProcessSiloHandle)cluster.Primary!;
            var index = silo.ServiceProvider.GetRequiredService<IStoredGrainIndex>();
            Assert.Same(silo.ServiceProvider.GetRequiredService<IGrainStorage>(), index);
            var keys = await index.ListKeysAsync(CounterGrain.GrainTypeName, CounterGrain.StateName, CancellationToken.None).WaitAsync(Timeout);
            Assert.Equal(["a", "b"], keys);
            await cluster.StopAllSilosAsync().WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task A_silo_whose_storage_directory_cannot_be_created_fails_to_start_naming_the_path()
    {
        var blocker = Path.Combine(_root, "not-a-directory");
        Directory.CreateDirectory(_root);
        await File.WriteAllTextAsync(blocker, "a file where the storage directory should be");
        var dir = Path.Combine(blocker, "data");

        // A file as parent defeats even root, for whom no permission bit makes a directory unwritable.
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await StartClusterAsync(dir)).DisposeAsync());
        Assert.Contains(Path.Combine(dir, "heck.db"), error.ToString());
    }

    [Fact]
    public async Task Read_of_a_missing_record_gives_a_fresh_state_and_no_etag()
    {
        using var storage = NewStorage(Dir);
        var state = new GrainState<CounterState>(new CounterState { Value = 9 }, "stale-etag") { RecordExists = true };
        await storage.ReadStateAsync("spec", Origin("none"), state).WaitAsync(Timeout);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Value);
    }

    [Fact]
    public async Task Write_then_read_round_trips_state_and_etag()
    {
        using var storage = NewStorage(Dir);
        var written = new GrainState<CounterState>(new CounterState { Value = 3, Note = "three" });
        await storage.WriteStateAsync("spec", Origin("o1"), written).WaitAsync(Timeout);
        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);

        var read = await ReadAsync(storage, "o1");
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal(3, read.State!.Value);
        Assert.Equal("three", read.State!.Note);
    }

    [Fact]
    public async Task Write_with_a_stale_etag_throws_InconsistentStateException()
    {
        using var storage = NewStorage(Dir);
        await storage.WriteStateAsync("spec", Origin("o1"), new GrainState<CounterState>(new CounterState { Value = 1 })).WaitAsync(Timeout);
        var mine = await ReadAsync(storage, "o1");
        var theirs = await ReadAsync(storage, "o1");

        theirs.State!.Value = 2;
        await storage.WriteStateAsync("spec", Origin("o1"), theirs).WaitAsync(Timeout);
        mine.State!.Value = 3;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("spec", Origin("o1"), mine));
        Assert.Equal(theirs.ETag, conflict.StoredEtag);

        // No etag claims "no row yet", which is just as stale.
        var blind = new GrainState<CounterState>(new CounterState { Value = 4 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("spec", Origin("o1"), blind));
        Assert.Equal(2, (await ReadAsync(storage, "o1")).State!.Value);
    }

    [Fact]
    public async Task Clear_deletes_the_record_and_checks_the_etag()
    {
        using var storage = NewStorage(Dir);
        var state = new GrainState<CounterState>(new CounterState { Value = 1 });
        await storage.WriteStateAsync("spec", Origin("o1"), state).WaitAsync(Timeout);
        var stale = new GrainState<CounterState>(new CounterState(), "not-the-etag");
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("spec", Origin("o1"), stale));

        await storage.ClearStateAsync("spec", Origin("o1"), state).WaitAsync(Timeout);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        var read = await ReadAsync(storage, "o1");
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);

        // A cleared record can be written afresh, and clearing nothing with no etag is a no-op.
        await storage.WriteStateAsync("spec", Origin("o1"), state).WaitAsync(Timeout);
        await storage.ClearStateAsync("spec", Origin("absent"), new GrainState<CounterState>(new CounterState())).WaitAsync(Timeout);
    }

    [Fact]
    public async Task ListKeys_lists_exactly_the_stored_keys_of_one_grain_type_and_state()
    {
        using var storage = NewStorage(Dir);
        foreach (var id in new[] { "o2", "o1", "o3", "gone" })
            await WriteAsync(storage, "spec", Origin(id), 1);
        await WriteAsync(storage, "health", Origin("other-state"), 1);
        await WriteAsync(storage, "spec", GrainId.Create("replica", "o4"), 1);
        var gone = await ReadAsync(storage, "gone");
        await storage.ClearStateAsync("spec", Origin("gone"), gone).WaitAsync(Timeout);

        var keys = await storage.ListKeysAsync("origin", "spec", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(["o1", "o2", "o3"], keys);
        Assert.Empty(await storage.ListKeysAsync("nothing", "spec", CancellationToken.None).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Concurrent_writes_of_200_grains_all_land_and_survive_reopening()
    {
        const int grains = 200;
        using (var storage = NewStorage(Dir))
        {
            await Task.WhenAll(Enumerable.Range(0, grains).Select(i => Task.Run(async () =>
            {
                var state = new GrainState<CounterState>(new CounterState { Value = i });
                await storage.WriteStateAsync("spec", Origin($"o{i:D3}"), state);
                state.State!.Value = i * 2; // a second write must see its own etag
                await storage.WriteStateAsync("spec", Origin($"o{i:D3}"), state);
            }))).WaitAsync(Timeout);
        }

        using var reopened = NewStorage(Dir);
        var keys = await reopened.ListKeysAsync("origin", "spec", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, grains).Select(i => $"o{i:D3}"), keys);
        for (var i = 0; i < grains; i++)
            Assert.Equal(i * 2, (await ReadAsync(reopened, $"o{i:D3}")).State!.Value);
    }

    [Fact]
    public async Task Files_left_by_a_killed_process_hold_every_completed_write()
    {
        // A SIGKILL leaves the database and its write-ahead log as they were after the last commit;
        // copying them while the writer is still open, never closed nor checkpointed, is that state.
        var storage = NewStorage(Dir);
        await WriteAsync(storage, "spec", Origin("survivor"), 42);
        var copy = Path.Combine(_root, "after-crash");
        Directory.CreateDirectory(copy);
        foreach (var file in new[] { "heck.db", "heck.db-wal" })
            if (File.Exists(Path.Combine(Dir, file))) File.Copy(Path.Combine(Dir, file), Path.Combine(copy, file));
        Assert.True(File.Exists(Path.Combine(copy, "heck.db-wal")), "the write should sit in the WAL, not yet checkpointed");

        using var recovered = NewStorage(copy);
        Assert.Equal(42, (await ReadAsync(recovered, "survivor")).State!.Value);
        storage.Dispose();
    }

    [Fact]
    public void Open_fails_naming_the_path_when_the_directory_cannot_be_created()
    {
        Directory.CreateDirectory(_root);
        var blocker = Path.Combine(_root, "file");
        File.WriteAllText(blocker, "");
        using var storage = NewStorage(Path.Combine(blocker, "data"));
        var error = Assert.Throws<InvalidOperationException>(storage.Open);
        Assert.Contains(Path.Combine(blocker, "data", "heck.db"), error.Message);
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_option()
    {
        var error = Assert.Throws<OrleansConfigurationException>(() => NewStorage(" "));
        Assert.Contains(nameof(SqliteStorageOptions.DirectoryPath), error.Message);
        Assert.Contains(nameof(SqliteStorageOptions.FileName),
            Assert.Throws<OrleansConfigurationException>(() =>
                new SqliteStorageOptions { FileName = "a/b.db" }.ThrowIfInvalid("x")).Message);
    }

    private SqliteGrainStorage NewStorage(string directory) => new(
        "test", new SqliteStorageOptions { DirectoryPath = directory },
        _services.GetRequiredService<Serializer>(), _services.GetRequiredService<IActivatorProvider>(),
        NullLogger<SqliteGrainStorage>.Instance);

    private static GrainId Origin(string id) => GrainId.Create("origin", id);

    private static async Task<GrainState<CounterState>> ReadAsync(SqliteGrainStorage storage, string origin)
    {
        var state = new GrainState<CounterState>();
        await storage.ReadStateAsync("spec", Origin(origin), state).WaitAsync(Timeout);
        return state;
    }

    private static Task WriteAsync(SqliteGrainStorage storage, string stateName, GrainId id, int value) =>
        storage.WriteStateAsync(stateName, id, new GrainState<CounterState>(new CounterState { Value = value })).WaitAsync(Timeout);

    private static async Task<TestCluster> StartClusterAsync(string directory)
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties[DirectoryKey] = directory;
        builder.AddSiloBuilderConfigurator<StorageConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync().WaitAsync(Timeout);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().AsTask().WaitAsync(Timeout);
            throw;
        }
    }

    public sealed class StorageConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) =>
            silo.AddSqliteGrainStorageAsDefault(o => o.DirectoryPath = silo.Configuration[DirectoryKey]!);
    }
}
