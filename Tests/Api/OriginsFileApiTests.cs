using Heck.Client.Sdk;
using Heck.Grains.Replica;
using Heck.Membership.Orleans;
using Heck.Silo.OriginsFile;

namespace Heck.Tests.Api;

/// <summary>
/// The origins file as a user meets it: the real silo host with <c>Heck:OriginsFile</c>, restarted
/// on its own data folder. Targets are a closed loopback port: these tests are about the registry.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class OriginsFileApiTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();
    private readonly string _file;
    private readonly string _data;

    public OriginsFileApiTests()
    {
        _file = Path.Combine(_dir.Path, "origins.yaml");
        _data = Path.Combine(_dir.Path, "data");
    }

    public void Dispose() => _dir.Dispose();

    private static string Entry(string id, int intervalMs = 60_000) =>
        $"  - id: {id}\n    url: http://127.0.0.1:9/{id}\n    intervalMs: {intervalMs}\n";

    private void WriteFile(params string[] entries) => File.WriteAllText(_file, "origins:\n" + string.Concat(entries));

    private Task<InProcessSilo> StartAsync(string? data = null, params string[] extra) =>
        InProcessSilo.StartAsync(data ?? _data, [$"--Heck:OriginsFile={_file}", .. extra]);

    private static async Task<HttpStatusCode> StatusOfGetAsync(InProcessSilo silo, string id)
    {
        using var response = await silo.Http.GetAsync($"/api/origins/{id}");
        return response.StatusCode;
    }

    private static Task WaitRegisteredAsync(InProcessSilo silo, params string[] ids) =>
        Eventually.True(() => ids.All(id => silo.Services.GetRequiredService<LocalReplica>().Spec(id) is not null), Within,
            $"{string.Join(", ", ids)} registered");

    private static async Task<int> IntervalOfAsync(InProcessSilo silo, string id) =>
        (await silo.GetJsonAsync($"/api/origins/{id}")).GetProperty("intervalMs").GetInt32();

    private static Task<HttpResponseMessage> PutAsync(InProcessSilo silo, string id, int intervalMs) =>
        silo.Http.PutAsJsonAsync($"/api/origins/{id}", new { url = $"http://127.0.0.1:9/{id}", intervalMs });

    [Fact]
    public async Task An_api_write_to_a_file_managed_origin_is_refused_with_409_naming_the_file_and_the_entry()
    {
        WriteFile(Entry("first"), Entry("filed"));
        await using var silo = await StartAsync();
        await WaitRegisteredAsync(silo, "first", "filed");

        foreach (var write in new Func<Task<HttpResponseMessage>>[]
                 {
                     () => PutAsync(silo, "filed", 1000),
                     () => silo.Http.DeleteAsync("/api/origins/filed"),
                 })
        {
            using var refused = await write();
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(ManagedByFile.ProblemType, problem.GetProperty("type").GetString());
            Assert.Equal(_file, problem.GetProperty("file").GetString());
            Assert.Equal(2, problem.GetProperty("entry").GetInt32());
            Assert.Contains($"entry 2 of the origins file {_file}", problem.GetProperty("detail").GetString());
            Assert.Contains("edit the file", problem.GetProperty("title").GetString());
        }
        Assert.Equal(60_000, await IntervalOfAsync(silo, "filed")); // nothing changed

        // Origins the file does not list are the API's to write.
        using var created = await PutAsync(silo, "mine", 1000);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task The_sdk_cannot_write_a_file_managed_origin_either()
    {
        WriteFile(Entry("filed"));
        await using var silo = await StartAsync();
        await WaitRegisteredAsync(silo, "filed");
        await using var client = await HeckClient.ConnectAsync(new HeckClientOptions { Gateways = { $"127.0.0.1:{silo.GatewayPort}" }, ConnectTimeout = TimeSpan.FromSeconds(60) });

        var refused = await Assert.ThrowsAsync<HeckValidationException>(() =>
            client.UpsertOriginAsync("filed", new OriginInput { Url = "http://127.0.0.1:9/other", IntervalMs = 1000 }));
        Assert.Contains($"entry 1 of the origins file {_file}", Assert.Single(refused.Errors, e => e.Field == "id").Message);
        var removal = await Assert.ThrowsAnyAsync<Exception>(() => client.RemoveOriginAsync("filed"));
        Assert.Contains(_file, removal.Message);
        // The conditional writes are refused the same way.
        var grain = client.ClusterClient.GetGrain<IOriginGrain>("filed");
        var view = await grain.GetView();
        var conditional = await grain.ConfigureIf(view!.Spec with { IntervalMs = 1000 }, WriteCondition.Unchanged(Heck.Api.OriginETag.Of(view.Spec)));
        Assert.Contains(_file, Assert.Single(conditional.Errors, e => e.Field == "id").Message);
        await Assert.ThrowsAnyAsync<Exception>(() => grain.RemoveIf(new WriteCondition("*", "")));
        Assert.Equal(60_000, await IntervalOfAsync(silo, "filed"));
        Assert.True((await client.UpsertOriginAsync("mine", new OriginInput { Url = "http://127.0.0.1:9/mine", IntervalMs = 1000 })).Created);
    }

    [Fact]
    public async Task A_restart_keeps_api_edits_because_the_file_only_applies_its_own_entries()
    {
        WriteFile(Entry("filed"));
        await using (var silo = await StartAsync())
        {
            await WaitRegisteredAsync(silo, "filed");
            (await PutAsync(silo, "mine", 1000)).EnsureSuccessStatusCode();
            Assert.Equal(HttpStatusCode.OK, (await PutAsync(silo, "mine", 3000)).StatusCode); // the edit
            // On the old code this edit was taken, then reverted by the next start.
            Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(silo, "filed", 3000)).StatusCode);
        }
        await using (var silo = await StartAsync())
        {
            await WaitRegisteredAsync(silo, "filed", "mine");
            await Eventually.Until(() => silo.GetJsonAsync("/api/origins-file"),
                f => f.TryGetProperty("lastApply", out var a) && a.ValueKind == JsonValueKind.Object, Within, "the file applied");
            Assert.Equal(3000, await IntervalOfAsync(silo, "mine"));
            Assert.Equal(60_000, await IntervalOfAsync(silo, "filed"));
        }
    }

    [Fact]
    public async Task Removing_an_entry_from_the_file_and_restarting_deletes_it_and_nothing_else()
    {
        WriteFile(Entry("kept"), Entry("removed"));
        await using (var silo = await StartAsync())
        {
            await WaitRegisteredAsync(silo, "kept", "removed");
            (await PutAsync(silo, "mine", 1000)).EnsureSuccessStatusCode();
        }
        WriteFile(Entry("kept"));
        await using (var silo = await StartAsync())
        {
            await Eventually.Until(() => StatusOfGetAsync(silo, "removed"), s => s == HttpStatusCode.NotFound, Within, "removed deleted");
            Assert.Equal(HttpStatusCode.OK, await StatusOfGetAsync(silo, "kept"));
            Assert.Equal(HttpStatusCode.OK, await StatusOfGetAsync(silo, "mine"));
            // The report is written just after the delete: wait for it rather than race it.
            var file = await Eventually.Until(() => silo.GetJsonAsync("/api/origins-file"),
                f => f.TryGetProperty("lastApply", out var a) && a.GetProperty("deleted").GetArrayLength() > 0, Within, "the delete reported");
            Assert.Equal(["removed"], file.GetProperty("lastApply").GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["kept"], file.GetProperty("managed").EnumerateArray().Select(e => e.GetString()));
            // No longer the file's: the API may create it again.
            Assert.Equal(HttpStatusCode.Created, (await PutAsync(silo, "removed", 1000)).StatusCode);
        }
    }

    [Fact]
    public async Task A_bad_entry_is_reported_and_the_silo_serves_the_good_ones()
    {
        File.WriteAllText(_file, "origins:\n" + Entry("good") + "  - id: bad\n    url: http://127.0.0.1:9/\n    intervalMs: 5\n" + Entry("also-good"));
        await using var silo = await StartAsync(); // the old code refused to start
        await WaitRegisteredAsync(silo, "good", "also-good");
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfGetAsync(silo, "bad"));

        var report = await silo.GetJsonAsync("/api/origins-file");
        Assert.Equal(_file, report.GetProperty("path").GetString());
        Assert.True(report.GetProperty("parsed").GetBoolean());
        var error = Assert.Single(report.GetProperty("errors").EnumerateArray());
        Assert.Equal(2, error.GetProperty("entry").GetInt32());
        Assert.Equal("bad", error.GetProperty("id").GetString());
        Assert.Equal("intervalMs", error.GetProperty("key").GetString());
        Assert.Equal("must be 100 … 86400000 (was 5)", error.GetProperty("message").GetString());
        Assert.Equal(7, error.GetProperty("line").GetInt32());
        // The file still claims it: fix it there.
        Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(silo, "bad", 1000)).StatusCode);
    }

    [Fact]
    public async Task A_file_that_does_not_parse_is_reported_and_the_silo_serves_api_origins()
    {
        File.WriteAllText(_file, "origins:\n  - id: a\n    url: [unclosed\n");
        await using var silo = await StartAsync();
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(silo, "mine", 1000)).StatusCode);
        var report = await silo.GetJsonAsync("/api/origins-file");
        Assert.False(report.GetProperty("parsed").GetBoolean());
        var error = Assert.Single(report.GetProperty("errors").EnumerateArray());
        Assert.False(error.TryGetProperty("entry", out _)); // the whole file, not one entry
        Assert.Equal((4, 1), (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetInt32()));
        Assert.StartsWith("is not valid YAML: ", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_change_to_the_file_is_applied_without_a_restart()
    {
        WriteFile(Entry("a"), Entry("b"));
        await using var silo = await StartAsync();
        await WaitRegisteredAsync(silo, "a", "b");
        WriteFile(Entry("a", 30_000), Entry("c"));
        await Eventually.Until(() => StatusOfGetAsync(silo, "b"), s => s == HttpStatusCode.NotFound, Within, "b deleted");
        await WaitRegisteredAsync(silo, "c");
        Assert.Equal(30_000, await IntervalOfAsync(silo, "a"));
    }

    [Fact]
    public async Task Two_silos_with_the_same_file_converge_without_churn()
    {
        WriteFile(Entry("a"), Entry("b"));
        await using var first = await StartAsync(Path.Combine(_dir.Path, "data1"));
        var seed = first.Services.GetRequiredService<SwimMembership>().Host!.Port;
        await using var second = await StartAsync(Path.Combine(_dir.Path, "data2"), $"--Heck:Swim:Seeds:0=127.0.0.1:{seed}");
        InProcessSilo[] silos = [first, second];
        RegistryEntry? EntryOf(InProcessSilo silo, string id) => silo.Services.GetRequiredService<LocalReplica>().State.Registry.Get(id);
        bool Agree(string id) => EntryOf(first, id) is { Spec: not null } e && e.Equals(EntryOf(second, id));
        await Eventually.True(() => Agree("a") && Agree("b"), Within, "both silos hold the same entries for a and b");
        var a = EntryOf(first, "a");

        // Both silos see the file change at about the same time and both apply it: one write wins,
        // the other finds it identical, and the two replicas end on one entry.
        var before = silos.Select(s => s.Services.GetRequiredService<OriginsFileStatus>().Current.LastApply?.At).ToList();
        WriteFile(Entry("a"), Entry("b", 30_000), "# and a comment\n");
        await Eventually.True(() => silos.Select((s, i) => s.Services.GetRequiredService<OriginsFileStatus>().Current.LastApply?.At != before[i]).All(x => x),
            Within, "both silos applied the changed file");
        await Eventually.True(() => Agree("b") && EntryOf(first, "b")!.Spec!.IntervalMs == 30_000, Within, "both silos hold b's new spec");
        var b = EntryOf(first, "b");
        Assert.Equal(a, EntryOf(first, "a")); // the unchanged entry was not written again
        Assert.Equal(a, EntryOf(second, "a"));
        foreach (var silo in silos)
            Assert.DoesNotContain("a", silo.Services.GetRequiredService<OriginsFileStatus>().Current.LastApply!.Upserted);

        // A third silo joining with the same file catches up first, finds every entry identical, and writes nothing.
        await using var third = await StartAsync(Path.Combine(_dir.Path, "data3"), $"--Heck:Swim:Seeds:0=127.0.0.1:{seed}");
        var applied = await Eventually.Until(() => Task.FromResult(third.Services.GetRequiredService<OriginsFileStatus>().Current.LastApply),
            r => r is not null, Within, "the third silo applied the file");
        // A write would be in its owner's replica before the apply finished: no silo holds a newer entry.
        foreach (var silo in (InProcessSilo[])[first, second, third])
        {
            Assert.Equal(a, EntryOf(silo, "a"));
            Assert.Equal(b, EntryOf(silo, "b"));
        }
        Assert.Empty(applied!.Upserted);
        Assert.Equal(2, applied.Unchanged);
    }
}
