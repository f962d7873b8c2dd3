using Heck.Client.Sdk;

namespace Heck.Tests.Client;

/// <summary>The SDK's session token over a <see cref="FakeCluster"/>: kept, merged, sent, and refused when not covered.</summary>
public sealed class SessionTokenTests
{
    private static readonly ReplicaId Silo = new("10.0.0.1:11111", 7);
    private readonly FakeCluster _cluster = new();

    private void NextWriteAnswers(long counter, string id = "a") =>
        _cluster.NextConfigureResult = new ConfigureResult(true, FakeCluster.View(id, "http://a.example/"), [])
        {
            Token = CausalToken.Of(new Dot(Silo, counter)),
        };

    [Fact]
    public async Task Writes_grow_the_session_and_causal_reads_send_it()
    {
        await using var client = new HeckClient(_cluster.Client);
        Assert.Equal(ReadLevel.Causal, client.DefaultReadLevel);
        Assert.Null(client.SessionToken);
        _cluster.Put(FakeCluster.View("a", "http://a.example/"));
        await client.GetOriginAsync("a"); // nothing seen yet: a plain local read
        Assert.Contains("IOriginReaderGrain.Get", _cluster.Calls);

        NextWriteAnswers(3);
        await client.UpsertOriginAsync("a", new OriginInput { Url = "http://a.example/" });
        NextWriteAnswers(5);
        await client.UpsertOriginAsync("a", new OriginInput { Url = "http://a.example/" });
        Assert.NotNull(await client.GetOriginAsync("a"));
        var sent = Assert.Single(_cluster.CausalTokens);
        Assert.Equal(CausalToken.Of(new Dot(Silo, 3)).Merge(CausalToken.Of(new Dot(Silo, 5))), sent);
        Assert.Equal(sent.Encode(), client.SessionToken);

        await client.GetOriginAsync("a", ReadLevel.Local);
        Assert.Single(_cluster.CausalTokens); // a local read sends nothing
    }

    [Fact]
    public async Task A_read_the_gateway_cannot_cover_throws_naming_what_it_lacks()
    {
        await using var client = new HeckClient(_cluster.Client);
        NextWriteAnswers(9);
        await client.UpsertOriginAsync("a", new OriginInput { Url = "http://a.example/" });
        _cluster.CausalWait = new CausalWaitResult(false, 2000, [new Dot(Silo, 9)]);
        var ex = await Assert.ThrowsAsync<HeckCausalReadException>(() => client.GetOriginAsync("a"));
        Assert.Equal(2000, ex.WaitedMs);
        Assert.Equal(["10.0.0.1:11111@7#9"], ex.Lacking);
        await Assert.ThrowsAsync<ArgumentException>(() => client.ListOriginsAsync(ReadLevel.Owner));
    }

    [Fact]
    public async Task The_session_passes_between_clients_and_refuses_what_is_not_a_token()
    {
        await using var first = new HeckClient(_cluster.Client);
        await using var second = new HeckClient(_cluster.Client);
        NextWriteAnswers(4);
        await first.UpsertOriginAsync("a", new OriginInput { Url = "http://a.example/" });
        second.SessionToken = first.SessionToken;
        Assert.Equal(first.SessionToken, second.SessionToken);
        Assert.Throws<ArgumentException>(() => second.SessionToken = "not a token");
        Assert.Equal(first.SessionToken, second.SessionToken); // unchanged by the refused value
        second.SessionToken = null;
        Assert.Null(second.SessionToken);
    }

    [Fact]
    public async Task Concurrent_writes_all_end_up_in_the_session()
    {
        await using var client = new HeckClient(_cluster.Client);
        var counter = 0;
        _cluster.ConfigureToken = () => CausalToken.Of(new Dot(Silo, 2 * ++counter));
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), async (i, ct) =>
            await client.UpsertOriginAsync($"o{i}", new OriginInput { Url = "http://a.example/" }, ct));
        Assert.True(CausalToken.TryDecode(client.SessionToken, out var session));
        Assert.All(Enumerable.Range(1, 200), i => Assert.True(session.Vector.Includes(VersionVector.Empty.Add(new Dot(Silo, 2 * i)))));
    }
}
