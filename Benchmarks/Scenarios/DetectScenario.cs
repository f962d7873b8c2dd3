namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Failure detection, SWIM against ADO.NET/PostgreSQL membership in the same run: for each
/// membership, N silo processes with that provider's default settings; each round SIGKILLs (a
/// crash) or SIGSTOPs (a hang) one silo other than the first and times until every survivor's
/// <c>/api/cluster/members</c> shows it dead, then replaces it with a fresh process. Survivors are
/// polled every 20 ms, so figures are at most ~20 ms late (on ADO.NET each poll reads the
/// membership table, so the figure is when the table says dead). For ADO.NET the scenario starts
/// a throwaway PostgreSQL on a free loopback port, applies the schema with the silo's
/// <c>apply-schema</c> command, and removes the server afterwards.
/// </summary>
public static class DetectScenario
{
    public sealed record Options(int Silos, int Rounds, string Faults, string? Out, string Membership = "swim,adonet");

    public static Command Command()
    {
        var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 5 };
        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 5 };
        var faults = new Option<string>("--faults") { Description = "kill, stop, or kill,stop", DefaultValueFactory = _ => "kill,stop" };
        var membership = new Option<string>("--membership")
        {
            Description = "swim, adonet (Orleans' table protocol on a throwaway PostgreSQL), or swim,adonet", DefaultValueFactory = _ => "swim,adonet",
        };
        var output = CommonOptions.Out();
        var command = new Command("detect", "Time until every survivor marks a SIGKILLed or SIGSTOPped silo dead (SWIM vs ADO.NET/PostgreSQL)")
        {
            silos, rounds, faults, membership, output,
        };
        command.SetAction((parse, ct) => RunAsync(new Options(
            Math.Clamp(parse.GetValue(silos), 3, 20), Math.Clamp(parse.GetValue(rounds), 1, 100),
            parse.GetValue(faults) ?? "kill,stop", parse.GetValue(output), parse.GetValue(membership) ?? "swim,adonet"), Console.Out, ct));
        return command;
    }

    /// <summary>Bound of one detection: SWIM's defaults detect in about 2 s; Orleans' defaults were reported at ~10 s (crash) and ~60 s (hang).</summary>
    private static readonly Dictionary<string, TimeSpan> DetectionBound = new()
    {
        ["swim"] = TimeSpan.FromSeconds(60),
        ["adonet"] = TimeSpan.FromSeconds(180),
    };

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        var faults = o.Faults.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        var unknown = faults.Except(["kill", "stop"]).ToList();
        if (unknown.Count > 0 || faults.Count == 0)
        {
            await Console.Error.WriteLineAsync($"--faults: unknown fault(s) {string.Join(", ", unknown)}; use kill, stop or kill,stop");
            return 2;
        }
        var memberships = o.Membership.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(m => m.ToLowerInvariant()).Distinct().ToList();
        var unknownMembership = memberships.Except(DetectionBound.Keys).ToList();
        if (unknownMembership.Count > 0 || memberships.Count == 0)
        {
            await Console.Error.WriteLineAsync($"--membership: unknown membership(s) {string.Join(", ", unknownMembership)}; use swim, adonet or swim,adonet");
            return 2;
        }

        string? postgresVersion = null;
        if (memberships.Contains("adonet"))
        {
            // Before anything starts, so a machine without PostgreSQL fails at once, not after the SWIM rounds.
            try { postgresVersion = PostgresBinaries.Find().Version; }
            catch (InvalidOperationException ex)
            {
                await Console.Error.WriteLineAsync(
                    "detect --membership adonet starts a throwaway PostgreSQL and needs its server programs (initdb, pg_ctl): " +
                    $"run `bash .ci/postgres.sh` to install them, or leave adonet out (--membership swim).{Environment.NewLine}{ex.Message}");
                return 2;
            }
        }

        var results = new List<(string Membership, string Fault, List<double> Times)>();
        foreach (var membership in memberships)
        {
            var times = faults.ToDictionary(f => f, _ => new List<double>());
            if (membership == "adonet")
            {
                await using var postgres = await PostgresServer.StartAsync(ct);
                var connectionString = postgres.ConnectionString("postgres"); // the server is this run's alone: a fresh database
                await LocalCluster.ApplySchemaAsync(connectionString);
                await using var cluster = await LocalCluster.StartAdoNetAsync(o.Silos, connectionString, ct);
                await RunRoundsAsync(cluster, membership, faults, o.Rounds, times, ct);
            }
            else
            {
                await using var cluster = await LocalCluster.StartAsync(o.Silos, ct);
                await RunRoundsAsync(cluster, membership, faults, o.Rounds, times, ct);
            }
            results.AddRange(faults.Select(f => (membership, f, times[f])));
        }

        var report = new Report("detect", new Dictionary<string, object>
        {
            ["silos"] = o.Silos, ["rounds"] = o.Rounds,
            ["membership"] = string.Join(" vs ", memberships.Select(m => m == "adonet"
                ? $"adonet (Orleans defaults, PostgreSQL {postgresVersion})"
                : "swim (Heck defaults)")),
        });
        report.Columns("membership", "fault", "rounds", "min ms", "p50 ms", "max ms", "goal");
        foreach (var (membership, fault, times) in results)
        {
            var st = Stats.Of(times);
            report.Row(membership == "adonet" ? "ADO.NET/PostgreSQL" : "SWIM",
                fault == "kill" ? "SIGKILL (crash)" : "SIGSTOP (hang)", $"{st.Count}", $"{st.Min:0}", $"{st.P50:0}", $"{st.Max:0}",
                membership == "adonet" ? "reference" : "median ≤ 2000 ms");
            report.Results[$"{membership}/{fault}"] = st;
        }
        await report.PublishAsync(output, o.Out);
        return 0;
    }

    private static async Task RunRoundsAsync(LocalCluster cluster, string membership, IReadOnlyList<string> faults, int rounds,
        Dictionary<string, List<double>> times, CancellationToken ct)
    {
        var random = new Random(7); // the same victims for every membership
        for (var round = 0; round < rounds; round++)
        {
            foreach (var fault in faults)
            {
                var index = 1 + random.Next(cluster.Silos.Count - 1); // never the SWIM seed, so replacements can join
                var victim = cluster.Silos[index];
                var id = await LocalCluster.SelfAsync(victim);
                var survivors = cluster.Silos.Where(s => s != victim).ToList();
                var clock = Stopwatch.StartNew();
                if (fault == "kill") victim.Kill(); else victim.Pause();
                await LocalCluster.WaitAsync(async () => (await Task.WhenAll(survivors.Select(s => LocalCluster.SeesDeadAsync(s, id)))).All(dead => dead),
                    DetectionBound[membership], $"{membership}: {id} dead everywhere after {fault}", ct);
                times[fault].Add(clock.Elapsed.TotalMilliseconds);
                await Console.Error.WriteLineAsync($"detect: {membership} {fault} round {round + 1}/{rounds}: {clock.Elapsed.TotalMilliseconds:0} ms");
                await cluster.ReplaceAsync(index, ct);
            }
        }
    }
}
