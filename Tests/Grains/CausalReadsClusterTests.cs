using Heck.Client.Sdk;
using Heck.Grains.Cluster;
using Heck.Grains.Placement;
using Heck.Grains.Replica;
using Heck.Silo.Api;
using Orleans.Runtime;

namespace Heck.Tests.Grains;

/// <summary>
/// Session guarantees across real silo hosts (items 3 and 4 of issue 11): a write on one silo followed at once
/// by a token read on the others reads the write, every time; a silo cut off from gossip answers such a read
/// 503 (and the SDK throws), never the older state.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class CausalReadsClusterTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    // Long enough that a busy CI host (the whole suite beside three silos) delivers a gossip round within it:
    // what the test proves is that a token read is never stale, and that a cut-off silo refuses instead.
    private const int WaitMs = 5000;
    private readonly List<InProcessSilo> _silos = [];
    private int _seedSwimPort;

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            var swim = FreePort.Next();
            if (i == 0) _seedSwimPort = swim;
            List<string> args =
            [
                $"--Heck:Swim:Port={swim}", "--Heck:Gossip:IntervalMs=50", "--Heck:Gossip:AntiEntropyIntervalMs=200",
                $"--Heck:Reads:CausalWaitMs={WaitMs}",
            ];
            if (i > 0) args.Add($"--Heck:Swim:Seeds:0=127.0.0.1:{_seedSwimPort}");
            _silos.Add(await InProcessSilo.StartAsync(extraArgs: args));
        }
        // Every silo active in every silo's view, so owners and gossip peers agree.
        await Eventually.True(() => _silos.All(s => Active(s).Length == 3), TimeSpan.FromSeconds(30), "three active silos everywhere");
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos) await silo.DisposeAsync();
    }

    private static SiloAddress[] Active(InProcessSilo silo) =>
        silo.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.ActiveSilos();

    private static SiloAddress Self(InProcessSilo silo) => silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    private static async Task<(HttpStatusCode Status, JsonElement Body, string? WaitedMs)> ReadAsync(InProcessSilo silo, string id, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/origins/{id}");
        request.Headers.TryAddWithoutValidation(CausalToken.Header, token);
        using var response = await silo.Http.SendAsync(request);
        var waited = response.Headers.TryGetValues(CausalReads.WaitHeader, out var values) ? values.Single() : null;
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(), waited);
    }

    private static async Task<string> PutAsync(InProcessSilo silo, string id, string url)
    {
        using var put = await silo.Http.PutAsJsonAsync($"/api/origins/{id}", new { url, intervalMs = 60_000 });
        Assert.True(put.IsSuccessStatusCode, $"PUT {id}: {put.StatusCode}");
        return put.Headers.GetValues(CausalToken.Header).Single();
    }

    [Fact]
    public async Task A_write_on_one_silo_is_read_at_once_with_its_token_on_the_others_and_a_cut_off_silo_refuses()
    {
        var (a, b, c) = (_silos[0], _silos[1], _silos[2]);
        var waits = new List<long>();
        var refusals = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            var url = $"tcp://127.0.0.1:{1000 + i}";
            var token = await PutAsync(a, "rw", url);
            foreach (var reader in new[] { b, c })
            {
                var (status, body, waited) = await ReadAsync(reader, "rw", token);
                // A refusal is the product's answer when the write did not arrive within the wait (a host starved for
                // seconds, as CI once was); it must be rare, and the read asked again must serve the write.
                if (status == HttpStatusCode.ServiceUnavailable && refusals.Count < 2)
                {
                    refusals.Add($"write {i}: {body}");
                    (status, body, waited) = await ReadAsync(reader, "rw", token);
                }
                if (status != HttpStatusCode.OK)
                {
                    var r = reader.Services.GetRequiredService<LocalReplica>();
                    Assert.Fail($"write {i}: {status} {body}; reader {r.Self} version now {r.Version}; entry now {r.State.Registry.Get("rw")}");
                }
                var shown = body.GetProperty("url").GetString();
                if (shown != url)
                {
                    var r = reader.Services.GetRequiredService<LocalReplica>();
                    CausalToken.TryDecode(token, out var t);
                    Assert.Fail($"write {i}: read {shown}, not {url}; token {t.Vector}; reader {r.Self} version {r.Version}; departed [{string.Join(", ", r.Departed)}]; entry {r.State.Registry.Get("rw")}");
                }
                waits.Add(long.Parse(waited!, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        Assert.Equal(200, waits.Count);
        waits.Sort();
        output.WriteLine($"token reads that waited: {waits.Count(w => w > 0)}/200; wait p50 {waits[100]} ms, p99 {waits[197]} ms, max {waits[^1]} ms");
        output.WriteLine($"refused, then served when asked again: {refusals.Count}/200{string.Concat(refusals.Select(r => "\n  " + r))}");

        // C is cut off from gossip; an origin whose owner is not C is written through A.
        var silos = Active(a);
        var director = a.Services.GetRequiredService<RendezvousPlacementDirector>();
        var id = Enumerable.Range(0, 200).Select(n => $"cut{n}").First(n => !director.Owner(n, silos)!.Equals(Self(c)));
        var gate = c.Services.GetRequiredService<GossipGate>();
        gate.Close();
        try
        {
            var cutToken = await PutAsync(a, id, "tcp://127.0.0.1:9");
            var (status, body, waited) = await ReadAsync(c, id, cutToken);
            var cReplica = c.Services.GetRequiredService<LocalReplica>();
            CausalToken.TryDecode(cutToken, out var decoded);
            Assert.True(status == HttpStatusCode.ServiceUnavailable,
                $"{status} {body} waited {waited}; token {decoded.Vector}; C {LocalReplica.IdOf(Self(c))} version {cReplica.Version}; departed [{string.Join(", ", cReplica.Departed)}]; " +
                $"entry on C {cReplica.State.Registry.Get(id)}; owner {director.Owner(id, silos)}; A sees {string.Join(", ", silos.Select(x => x.ToString()))}");
            Assert.Equal(CausalReads.NotCoveredType, body.GetProperty("type").GetString());
            Assert.True(body.GetProperty("waitedMs").GetInt64() >= WaitMs, body.ToString());
            Assert.NotEmpty(body.GetProperty("lacking").EnumerateArray());
            Assert.NotNull(waited);
            Assert.Equal(HttpStatusCode.OK, (await ReadAsync(b, id, cutToken)).Status);

            // The SDK, through C's gateway, carrying the same session: it throws rather than answer "not registered".
            await using var client = await HeckClient.ConnectAsync(new HeckClientOptions { Gateways = { $"127.0.0.1:{c.GatewayPort}" } });
            Assert.Null(await client.GetOriginAsync(id, ReadLevel.Local)); // the stale answer a token read must not give
            client.SessionToken = cutToken;
            await Assert.ThrowsAsync<HeckCausalReadException>(() => client.GetOriginAsync(id));
            gate.Open();
            // Once gossip brings the write, the same session reads it (a busy host may need more than one wait).
            await Eventually.Until(async () =>
            {
                try
                {
                    return await client.GetOriginAsync(id);
                }
                catch (HeckCausalReadException)
                {
                    return null;
                }
            }, v => v is not null, TimeSpan.FromSeconds(15), "the cut-off silo caught up and read the write");
        }
        finally
        {
            gate.Open();
        }
    }
}
