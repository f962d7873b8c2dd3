using Heck.Membership.Orleans;

namespace Heck.Tests.Api;

/// <summary>
/// <c>/api/cluster/traffic</c>: each silo's own Orleans messages, gossip and SWIM counts, which the
/// coordination benchmark turns into messages per operation.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class TrafficApiTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static async Task<(long Messages, long Bytes, long Local, long Packets)> TrafficAsync(InProcessSilo silo)
    {
        var body = await silo.GetJsonAsync("/api/cluster/traffic");
        var orleans = body.GetProperty("orleans");
        Assert.True(body.GetProperty("gossip").GetProperty("deltasSent").GetInt64() >= 0);
        return (orleans.GetProperty("messagesSent").GetInt64(), orleans.GetProperty("bytesSent").GetInt64(),
            orleans.GetProperty("localMessagesSent").GetInt64(), body.GetProperty("swim").GetProperty("packetsSent").GetInt64());
    }

    [Fact]
    public async Task Each_silo_counts_the_messages_it_sends()
    {
        await using var a = await InProcessSilo.StartAsync();
        var seed = a.Services.GetRequiredService<SwimMembership>().Host!.Port;
        await using var b = await InProcessSilo.StartAsync(extraArgs: [$"--Heck:Swim:Seeds:0=127.0.0.1:{seed}"]);
        async Task<int> AliveAsync(InProcessSilo silo) => (await silo.GetJsonAsync("/api/cluster/members")).GetProperty("members")
            .EnumerateArray().Count(m => m.GetProperty("status").GetString() == "alive");
        await Eventually.Until(async () => Math.Min(await AliveAsync(a), await AliveAsync(b)), n => n == 2, Within, "both silos see two alive");

        var (a0, b0) = (await TrafficAsync(a), await TrafficAsync(b));
        // Origins spread over both owners: a PUT on A of an origin B owns is a call to B and its answer.
        for (var i = 0; i < 20; i++)
            (await a.Http.PutAsJsonAsync($"/api/origins/t{i}", new { url = "http://127.0.0.1:9/t", intervalMs = 3_600_000 })).EnsureSuccessStatusCode();
        // Each calls the other's grains for origins the other owns, and gossips to it every gossip interval.
        var a1 = await Eventually.Until(() => TrafficAsync(a), t => t.Messages > a0.Messages, Within, "A sent a message");
        var b1 = await Eventually.Until(() => TrafficAsync(b), t => t.Messages > b0.Messages, Within, "B sent a message");

        Assert.True(a1.Bytes - a0.Bytes > a1.Messages - a0.Messages, "a message weighs more than a byte");
        Assert.True(a1.Local > a0.Local, "A's PUTs called grains on A too");
        Assert.True(a1.Packets > 0 && b1.Packets > 0, "SWIM packets counted");
        // Each silo counts its own sends: the PUTs were made on A, so B's local count is not A's.
        Assert.True(b1.Local - b0.Local < a1.Local - a0.Local, "B's local messages are B's own");
    }
}
