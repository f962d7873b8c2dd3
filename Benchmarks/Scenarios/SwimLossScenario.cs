using System.Globalization;

namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// SWIM under packet loss: N silo processes whose SWIM agents each drop a share of their UDP
/// datagrams, in and out, at random (<c>Heck:Swim:InjectLossPercent</c>; TCP push-pull is spared).
/// For the whole run every silo's <c>/api/cluster/members</c> is polled once a second. A false
/// death is a member any silo ever lists as dead, or a silo process that exits (a silo the cluster
/// declares dead stops itself); nothing is killed on purpose, so every death is false. Suspect
/// sightings count (poll, observer, member) triples showing <c>suspect</c>; the longest suspicion
/// is the longest run of consecutive suspect sightings of one member by one observer, measured from
/// its first sighting to the first sighting that is no longer suspect, so it is accurate to about a
/// poll (1 s). Injected drops are summed from every silo's <c>transport</c> counters at the end.
/// The exit code is 1 when a false death happened.
/// </summary>
public static class SwimLossScenario
{
    public sealed record Options(int Silos, double LossPercent, int Minutes, string? Out);

    /// <summary>The <c>swim-loss</c> command.</summary>
    public static Command Command()
    {
        var outOption = CommonOptions.Out();
        var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 5 };
        var loss = new Option<double>("--loss-percent") { Description = "SWIM UDP datagrams dropped on purpose, in and out (Heck:Swim:InjectLossPercent)", DefaultValueFactory = _ => 10 };
        var minutes = new Option<int>("--minutes") { Description = "How long to watch (1..60)", DefaultValueFactory = _ => 10 };
        var command = new Command("swim-loss", "False deaths and suspicions of a SWIM cluster whose silos lose a share of their UDP datagrams")
        {
            silos, loss, minutes, outOption,
        };
        command.SetAction((parse, ct) => RunAsync(new Options(
            Math.Clamp(parse.GetValue(silos), 3, 20), Math.Clamp(parse.GetValue(loss), 0, 100), Math.Clamp(parse.GetValue(minutes), 1, 60),
            parse.GetValue(outOption)), Console.Out, ct));
        return command;
    }

    private sealed record Member(string Address, int Generation)
    {
        public override string ToString() => $"{Address}@{Generation}";
    }

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        var percent = o.LossPercent.ToString(CultureInfo.InvariantCulture);
        await Console.Error.WriteLineAsync($"swim-loss: starting {o.Silos} silos with {percent} % injected loss");
        await using var cluster = await LocalCluster.StartAsync(o.Silos, ct, $"--Heck:Swim:InjectLossPercent={percent}");
        var identities = new List<Member>();
        foreach (var silo in cluster.Silos)
        {
            var (address, generation) = await LocalCluster.SelfAsync(silo);
            identities.Add(new Member(address, generation));
        }

        var dead = new HashSet<Member>();
        var suspectSince = new Dictionary<(int Observer, Member Member), TimeSpan>();
        var longestSuspicion = TimeSpan.Zero;
        long suspectSightings = 0;
        long unanswered = 0;
        var polls = o.Minutes * 60;
        await Console.Error.WriteLineAsync($"swim-loss: all alive; watching for {o.Minutes} min");
        var clock = Stopwatch.StartNew();
        for (var poll = 0; poll < polls; poll++)
        {
            var views = await Task.WhenAll(cluster.Silos.Select(MembersAsync));
            var now = clock.Elapsed;
            for (var observer = 0; observer < views.Length; observer++)
            {
                if (cluster.Silos[observer].HasExited && dead.Add(identities[observer]))
                    await Console.Error.WriteLineAsync($"swim-loss: {now.TotalSeconds:0} s: silo {identities[observer]} exited");
                if (views[observer] is not { } view)
                {
                    unanswered++;
                    continue;
                }
                foreach (var (member, status) in view)
                {
                    var key = (observer, member);
                    if (status == "suspect")
                    {
                        suspectSightings++;
                        suspectSince.TryAdd(key, now);
                    }
                    else if (suspectSince.Remove(key, out var since) && now - since > longestSuspicion)
                    {
                        longestSuspicion = now - since;
                    }
                    if (status == "dead" && dead.Add(member))
                        await Console.Error.WriteLineAsync($"swim-loss: {now.TotalSeconds:0} s: {identities[observer]} lists {member} dead");
                }
            }
            // One poll a second: wait for the next whole second of the run (a slow poll skips none, it only runs late).
            var next = TimeSpan.FromSeconds(poll + 1);
            if (next > clock.Elapsed) await Task.Delay(next - clock.Elapsed, ct);
        }
        // Suspicions still open at the end count up to now.
        foreach (var since in suspectSince.Values)
            if (clock.Elapsed - since > longestSuspicion) longestSuspicion = clock.Elapsed - since;

        long injected = 0, udpSent = 0, udpReceived = 0;
        foreach (var silo in cluster.Silos.Where(s => !s.HasExited))
        {
            if (await TransportAsync(silo) is not { } transport) continue;
            injected += transport.GetProperty("dropped").GetProperty("injected").GetInt64();
            udpSent += transport.GetProperty("udpPacketsSent").GetInt64();
            udpReceived += transport.GetProperty("udpPacketsReceived").GetInt64();
        }

        var report = new Report("swim-loss", new Dictionary<string, object>
        {
            ["silos"] = o.Silos, ["lossPercent"] = o.LossPercent, ["minutes"] = o.Minutes, ["membership"] = "swim (defaults)", ["pollMs"] = 1000,
        });
        report.Columns("silos", "loss %", "minutes", "false deaths", "suspect sightings", "max time a member was suspect", "injected drops", "unanswered polls");
        report.Row($"{o.Silos}", percent, $"{o.Minutes}", $"{dead.Count}", $"{suspectSightings}",
            longestSuspicion == TimeSpan.Zero ? "never suspect" : $"{longestSuspicion.TotalSeconds:0.0} s", $"{injected}", $"{unanswered}");
        report.Results["falseDeaths"] = dead.Select(m => m.ToString()).ToList();
        report.Results["suspectSightings"] = suspectSightings;
        report.Results["maxSuspectSeconds"] = Math.Round(longestSuspicion.TotalSeconds, 1);
        report.Results["injectedDrops"] = injected;
        report.Results["udpPacketsSent"] = udpSent;
        report.Results["udpPacketsReceived"] = udpReceived;
        report.Results["unansweredPolls"] = unanswered;
        await report.PublishAsync(output, o.Out);
        return dead.Count > 0 ? 1 : 0;
    }

    /// <summary>The members <paramref name="silo"/> lists, with their status; null when it does not answer.</summary>
    private static async Task<List<(Member Member, string Status)>?> MembersAsync(SiloProcess silo)
    {
        if (silo.HasExited) return null;
        try
        {
            var members = (await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members")).GetProperty("members");
            return members.EnumerateArray()
                .Select(m => (new Member(m.GetProperty("address").GetString()!, m.GetProperty("generation").GetInt32()), m.GetProperty("status").GetString()!))
                .ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<JsonElement?> TransportAsync(SiloProcess silo)
    {
        try
        {
            var body = await silo.Http.GetFromJsonAsync<JsonElement>("/api/cluster/members");
            return body.TryGetProperty("transport", out var transport) ? transport : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
