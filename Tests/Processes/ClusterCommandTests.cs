using System.Net.Sockets;

namespace Heck.Tests.Processes;

/// <summary>The local-cluster command users run: three silos on consecutive ports, one cluster, any silo answers.</summary>
[Trait("Category", "Process")]
[Collection(ClusterCollection.Name)]
public sealed class ClusterCommandTests
{
    [Fact]
    public async Task Starts_three_silos_that_form_one_cluster_and_prints_their_ports()
    {
        var b = Consecutive(12); // one run for all four kinds, so they cannot overlap
        var o = new FixedPortCluster.Options(3, b, b + 3, b + 6, b + 9, Data: null);
        var output = new StringWriter();
        var running = await FixedPortCluster.StartAsync(o, output, CancellationToken.None);
        var pids = running.Silos.Select(s => s.Id).ToList();
        await using (running)
        {
            for (var i = 0; i < 3; i++) Assert.Contains($"http://127.0.0.1:{o.HttpPort + i}", output.ToString());
            var first = running.Silos[0].Http;
            (await first.PutAsJsonAsync("/api/origins/everywhere", new { url = $"http://127.0.0.1:{o.HttpPort}/healthz", intervalMs = 500 })).EnsureSuccessStatusCode();
            using var last = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{o.HttpPort + 2}") };
            await Eventually.Until(async () => await last.GetAsync("/api/origins/everywhere"), r => r.StatusCode == HttpStatusCode.OK,
                TimeSpan.FromSeconds(15), "the third silo answers for an origin registered on the first");
            var members = (await last.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
            Assert.Equal(3, members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "alive"));
        }
        Assert.Equal(3, pids.Distinct().Count());
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"silo {pid} still runs after the cluster stopped"));
    }

    // A base port whose next n-1 ports are free too: below the ephemeral range (32768+), where
    // outgoing connections keep neighbouring ports busy.
    private static int Consecutive(int n)
    {
        var random = new Random();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var start = random.Next(20_000, 32_000 - n);
            var listeners = new List<TcpListener>();
            try
            {
                for (var p = start; p < start + n; p++)
                {
                    var l = new TcpListener(IPAddress.Loopback, p);
                    l.Start();
                    listeners.Add(l);
                    using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, p)); // SWIM needs UDP too
                }
                return start;
            }
            catch (SocketException) { }
            finally
            {
                foreach (var l in listeners) l.Stop();
            }
        }
        throw new InvalidOperationException("no run of free loopback ports found");
    }
}
