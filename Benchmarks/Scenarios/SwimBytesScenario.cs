namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// What SWIM costs on the network: N silo processes (Heck's default <c>Heck:Swim</c> settings, each
/// member's state carrying its Orleans row, no encryption) join through the first; once every silo
/// sees every silo alive, each silo's SWIM transport counters (<c>transport</c> of
/// <c>/api/cluster/members</c>) are read, and again after <c>--seconds</c>. Per member: the protocol
/// bytes it sent (UDP datagrams plus TCP push-pull frames, without IP/UDP/TCP headers) per second,
/// and the UDP datagrams it sent per second. The polls themselves are HTTP, not SWIM.
/// </summary>
public static class SwimBytesScenario
{
    public sealed record Options(IReadOnlyList<int> Members, int Seconds, string? Out);

    /// <summary>The <c>swim-bytes</c> command.</summary>
    public static Command Command()
    {
        var outOption = CommonOptions.Out();
        var members = new Option<string>("--members") { Description = "Cluster sizes, comma-separated (2..30 each)", DefaultValueFactory = _ => "5,20" };
        var seconds = new Option<int>("--seconds") { Description = "Measuring time per cluster size (1..600)", DefaultValueFactory = _ => 30 };
        var command = new Command("swim-bytes", "SWIM protocol bytes and datagrams per second per member, by cluster size (silo processes, default settings)")
        {
            members, seconds, outOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var sizes = new List<int>();
            foreach (var part in (parse.GetValue(members) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, out var n) || n is < 2 or > 30)
                {
                    await Console.Error.WriteLineAsync($"--members: '{part}' is not a cluster size from 2 to 30");
                    return 2;
                }
                sizes.Add(n);
            }
            if (sizes.Count == 0)
            {
                await Console.Error.WriteLineAsync("--members: give at least one cluster size, e.g. 5,20");
                return 2;
            }
            return await RunAsync(new Options(sizes, Math.Clamp(parse.GetValue(seconds), 1, 600), parse.GetValue(outOption)), Console.Out, ct);
        });
        return command;
    }

    private sealed record Run(int Members, double Seconds, Stats BytesPerSecond, Stats PacketsPerSecond, double TcpShare, long Dropped, bool AllAliveAtEnd);

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        var runs = new List<Run>();
        foreach (var n in o.Members)
        {
            await Console.Error.WriteLineAsync($"swim-bytes: {n} members, {o.Seconds} s");
            runs.Add(await MeasureAsync(n, o.Seconds, ct));
        }

        var report = new Report("swim-bytes", new Dictionary<string, object>
        {
            ["members"] = string.Join(",", o.Members), ["seconds"] = o.Seconds, ["settings"] = "Heck:Swim defaults (probe 500 ms, timeout 200 ms, gossip 100 ms, push-pull 30 s)",
            ["transport"] = "silo processes on 127.0.0.1, no encryption",
        });
        report.Columns("members", "bytes/s per member (mean)", "max", "packets/s", "TCP share", "drops", "all alive at end");
        foreach (var r in runs)
        {
            report.Row($"{r.Members}", $"{r.BytesPerSecond.Mean:0}", $"{r.BytesPerSecond.Max:0}", $"{r.PacketsPerSecond.Mean:0.0}",
                $"{r.TcpShare:P0}", $"{r.Dropped}", r.AllAliveAtEnd ? "yes" : "NO");
            report.Results[$"members{r.Members}"] = r;
        }
        await report.PublishAsync(output, o.Out);
        return runs.All(r => r.AllAliveAtEnd) ? 0 : 1;
    }

    private static async Task<Run> MeasureAsync(int n, int seconds, CancellationToken ct)
    {
        await using var cluster = await LocalCluster.StartAsync(n, ct);
        var before = await Task.WhenAll(cluster.Silos.Select(s => TransportAsync(s, ct)));
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
        var after = await Task.WhenAll(cluster.Silos.Select(s => TransportAsync(s, ct)));
        var elapsed = clock.Elapsed.TotalSeconds;

        var bytes = after.Select((a, i) => (a.Bytes - before[i].Bytes) / elapsed).ToList();
        var packets = after.Select((a, i) => (a.UdpPackets - before[i].UdpPackets) / elapsed).ToList();
        var tcp = after.Select((a, i) => a.TcpBytes - before[i].TcpBytes).Sum();
        var total = after.Select((a, i) => a.Bytes - before[i].Bytes).Sum();
        var dropped = after.Select((a, i) => a.Dropped - before[i].Dropped).Sum();
        var allAlive = (await Task.WhenAll(cluster.Silos.Select(AliveAsync))).All(a => a == n);
        return new Run(n, Math.Round(elapsed, 1), Stats.Of(bytes), Stats.Of(packets), total == 0 ? 0 : (double)tcp / total, dropped, allAlive);
    }

    private static async Task<(long Bytes, long UdpPackets, long TcpBytes, long Dropped)> TransportAsync(SiloProcess silo, CancellationToken ct)
    {
        var t = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members", ct)).GetProperty("transport");
        long Get(string name) => t.GetProperty(name).GetInt64();
        var dropped = t.GetProperty("dropped").EnumerateObject().Sum(p => p.Value.GetInt64());
        return (Get("udpBytesSent") + Get("tcpBytesSent"), Get("udpPacketsSent"), Get("tcpBytesSent"), dropped);
    }

    private static async Task<int> AliveAsync(SiloProcess silo)
    {
        var members = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
        return members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "alive");
    }
}
