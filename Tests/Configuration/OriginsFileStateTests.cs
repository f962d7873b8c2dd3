using Heck.Silo.OriginsFile;

namespace Heck.Tests.Configuration;

public sealed class OriginsFileStateTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Keeps_the_managed_ids_across_instances_and_starts_empty()
    {
        var data = Path.Combine(_dir.Path, "data");
        Assert.Empty(new OriginsFileState(data).Load()); // no folder yet
        new OriginsFileState(data).Save("/etc/heck/origins.yaml", ["b", "a"]);
        Assert.Equal(["a", "b"], new OriginsFileState(data).Load().Order());
        new OriginsFileState(data).Clear();
        Assert.Empty(new OriginsFileState(data).Load());
    }

    [Fact]
    public void A_damaged_state_file_reads_as_empty_so_nothing_is_deleted_by_mistake()
    {
        var state = new OriginsFileState(_dir.Path);
        File.WriteAllText(state.FilePath, "{ not json");
        Assert.Empty(state.Load());
    }
}
