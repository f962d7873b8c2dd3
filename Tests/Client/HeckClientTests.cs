using Heck.Client.Sdk;

namespace Heck.Tests.Client;

/// <summary>The SDK over a wrapped <see cref="IClusterClient"/> (a <see cref="FakeCluster"/>).</summary>
public class HeckClientTests
{
    private readonly FakeCluster _cluster = new();

    [Fact]
    public async Task Upsert_validates_locally_before_any_call()
    {
        await using var client = new HeckClient(_cluster.Client);
        var ex = await Assert.ThrowsAsync<HeckValidationException>(() =>
            client.UpsertOriginAsync("bad id", new OriginInput { Url = "ftp://x", IntervalMs = 10 }));
        Assert.Equal(["id", "url", "intervalMs"], ex.Errors.Select(e => e.Field));
        Assert.Contains("url: ", ex.Message);
        Assert.Empty(_cluster.Calls);
    }

    [Fact]
    public async Task Upsert_refuses_an_input_whose_own_id_differs_and_names_a_bad_id_with_the_validators_text()
    {
        await using var client = new HeckClient(_cluster.Client);
        var ex = await Assert.ThrowsAsync<HeckValidationException>(() =>
            client.UpsertOriginAsync("api", new OriginInput { Id = "web", Url = "http://api.example/" }));
        Assert.Equal([new FieldError("id", "the input's id 'web' differs from 'api'")], ex.Errors);
        var bad = await Assert.ThrowsAsync<HeckValidationException>(() => client.RemoveOriginAsync("a b"));
        Assert.Equal([new FieldError("id", OriginValidator.IdError)], bad.Errors);
        Assert.Empty(_cluster.Calls);
    }

    [Fact]
    public async Task Upsert_creates_then_replaces()
    {
        await using var client = new HeckClient(_cluster.Client);
        var first = await client.UpsertOriginAsync("api", new OriginInput { Url = "http://api.example/", IntervalMs = 1000 });
        Assert.True(first.Created);
        Assert.Equal("http://api.example/", first.View.Spec.Url);
        Assert.Equal(500, first.View.Spec.TimeoutMs);

        var second = await client.UpsertOriginAsync("api", new OriginInput { Url = "http://api.example/v2" });
        Assert.False(second.Created);
        Assert.Equal("http://api.example/v2", (await client.GetOriginAsync("api"))!.Spec.Url);
        Assert.Equal(["IOriginGrain.Configure(api)", "IOriginGrain.Configure(api)", "IOriginReaderGrain.Get"], _cluster.Calls);
    }

    [Fact]
    public async Task Upsert_throws_the_errors_the_grain_answers_with()
    {
        await using var client = new HeckClient(_cluster.Client);
        _cluster.NextConfigureResult = new ConfigureResult(false, null, [new FieldError("timeoutMs", "no")]);
        var ex = await Assert.ThrowsAsync<HeckValidationException>(() =>
            client.UpsertOriginAsync("api", new OriginInput { Url = "http://api.example/" }));
        Assert.Equal([new FieldError("timeoutMs", "no")], ex.Errors);
    }

    [Fact]
    public async Task Remove_and_get_check_the_id_first()
    {
        await using var client = new HeckClient(_cluster.Client);
        var remove = await Assert.ThrowsAsync<HeckValidationException>(() => client.RemoveOriginAsync("a/b"));
        Assert.Equal("id", Assert.Single(remove.Errors).Field);
        await Assert.ThrowsAsync<HeckValidationException>(() => client.GetOriginAsync(""));
        Assert.Empty(_cluster.Calls);

        Assert.False(await client.RemoveOriginAsync("a"));
        Assert.Null(await client.GetOriginAsync("a"));
    }

    [Fact]
    public async Task List_filters_by_status_and_members_come_from_the_reader()
    {
        _cluster.Put(FakeCluster.View("a", "http://a.example/", HealthStatus.Healthy));
        _cluster.Put(FakeCluster.View("b", "http://b.example/", HealthStatus.Unhealthy));
        _cluster.Members.Add(new Heck.Cluster.ClusterMember { Address = "x:1", Status = "alive" });
        await using var client = new HeckClient(_cluster.Client);

        Assert.Equal(["a", "b"], (await client.ListOriginsAsync()).Select(v => v.Spec.Id));
        Assert.Equal(["b"], (await client.ListOriginsAsync(HealthStatus.Unhealthy)).Select(v => v.Spec.Id));
        Assert.Equal("x:1", Assert.Single(await client.GetMembersAsync()).Address);
    }

    [Fact]
    public async Task Disposing_a_wrapping_client_leaves_the_cluster_client_usable()
    {
        var client = new HeckClient(_cluster.Client);
        await client.DisposeAsync();
        await client.DisposeAsync();
        await using var again = new HeckClient(_cluster.Client);
        Assert.Empty(await again.ListOriginsAsync());
    }

    [Fact]
    public async Task Watch_rejects_a_bad_origin_id_and_a_zero_poll_interval()
    {
        await using var client = new HeckClient(_cluster.Client);
        await Assert.ThrowsAsync<HeckValidationException>(async () =>
        {
            await foreach (var _ in client.WatchAsync("not valid")) { }
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => client.WatchPollInterval = TimeSpan.Zero);
    }
}
