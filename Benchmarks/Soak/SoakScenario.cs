namespace Heck.Benchmarks.Soak;

/// <summary>
/// Soak: N silos probe M origins on a local target for T minutes of random SIGKILL, SIGSTOP and
/// SIGTERM, each followed by a restart (or SIGCONT), with optional injected SWIM packet loss. At
/// the end it checks that no registered origin was lost, that no origin went unprobed longer than
/// failure detection plus two probe intervals, and that all replicas are equal within 2 s of the
/// faults stopping. Prints a markdown table, writes JSON with <c>--out</c>, exits 1 on FAIL.
/// </summary>
/// <remarks>
/// <para><b>Faults.</b> The nodes are split into <c>--max-faulty</c> lanes (node i in lane i mod
/// lanes; default 1, at most (N−1)/2, so a majority is always up); each lane runs its faults one after
/// another from its own <see cref="Random"/> seeded from <c>--seed</c>, so the sequence of
/// decisions (idle time, victim, action, down time) replays exactly, though their timing depends
/// on how fast silos stop and start. After an idle of 1–4 s a lane picks one of its nodes and
/// one of: SIGKILL, wait 0–5 s, restart; SIGSTOP for 1–8 s, then SIGCONT (a silo that learns it
/// was declared dead exits, and is restarted); SIGTERM, wait 0–5 s, restart. A restart is a new
/// generation of the same node (same ports and data folder) joining through every node not under
/// a fault, so the first node (the original seed) is faulted like any other. A node that exits
/// without being faulted (a false death) is restarted too and reported as an unplanned exit.</para>
/// <para><b>Unprobed time.</b> Every 100 ms the target's last hit of each origin is read; an
/// origin's unprobed time is now − last hit, minus any stall of the sampler itself (a tick more
/// than 500 ms late: this process, which also serves the target, did not run, so no probe could
/// land). Measured from the moment every origin has been probed and is healthy everywhere until
/// the replica check ends, i.e. while a majority is always up and the cluster is expected to
/// probe. The bound is detection + 2 intervals: an origin's last probe is up to one interval
/// before its owner fails, the failure is detected (SWIM; <c>--detection-ms</c>), the new owner
/// probes within 250 ms, and a second interval is margin. With k faults at once an origin can lose
/// its owner and then its next owner before either is detected, so the bound becomes
/// k · detection + 2 intervals.</para>
/// <para><b>Partitions</b> (<c>--partitions</c>, on by default; needs nft and root, <c>.ci/nftables.sh</c>).
/// Each node runs on its own 127.0.Y.N (<see cref="LoopbackNetwork"/>); from its own seeded
/// <see cref="Random"/> a lane cuts 1 to (N−1)/2 silos from the rest (3/2 or 4/1 with five) every
/// 10–30 s for 5–20 s, then heals and waits (≤ 60 s) for one cluster. A partition is a fault of the
/// whole cluster: it starts once no silo is under a fault, and silo faults wait while it is in
/// force, so the bound stays detection + 2 intervals for each side. During a partition each side
/// must keep probing every origin: its unprobed time counts from its own last probe (told apart by
/// source address) or from the last probe before the cut.</para>
/// <para><b>Churn.</b> <c>--churn-per-minute</c> origins <c>c{k}</c> are created, deleted or re-created
/// (seeded) through a reachable silo; at the end the ones created exist everywhere (else lost) and the
/// deleted ones nowhere, and one listed again on a silo that had listed it gone is resurrected.</para>
/// <para><b>Readers.</b> Every target stays healthy; every silo's full list is read about once a second,
/// and an origin shown not healthy (or <c>stale</c>) is a false reading, a failed check, unless the silo
/// is itself cut off: hung (SIGSTOP to SIGCONT + bound), or on the minority side (cut to cut + detection
/// + bound, heal to heal + bound), with bound = max(3 intervals, interval + 5 s). A node whose
/// generation changes without a restart by the soak rejoined in-process and is counted.</para>
/// <para><b>Replicas equal.</b> Probing continues, so no two replicas are ever byte-equal for
/// long. Equal means, for every registered origin on every silo: the same spec (every field the
/// API shows besides health and provenance), the same health status, the same
/// <c>observedBy</c> (the freshest observation comes from the same prober generation), and
/// <c>observedAt</c> within 1.5 probe intervals of one another (at most the newest observation
/// is still in flight; a replica two observations behind fails). Polled every 100 ms from the
/// moment every silo sees every silo alive.</para>
/// </remarks>
public static class SoakScenario
{
    public sealed record Options(
        int Silos, int Origins, double Minutes, int IntervalMs, double LossPercent, int Seed, int DetectionMs, int MaxFaulty, string? Out,
        IReadOnlyList<string>? SiloArgs = null, string? Logs = null, bool Partitions = true, double ChurnPerMinute = 4)
    {
        /// <summary>How long a cut-off silo (hung, or on the minority side) may show a healthy origin stale or unknown.</summary>
        public double StaleBoundMs => Math.Max(3.0 * IntervalMs, IntervalMs + 5000.0);

        /// <summary>Fault lanes: at most (N−1)/2, so a majority is always up.</summary>
        public int Lanes => Math.Clamp(MaxFaulty, 1, Math.Max(1, (Silos - 1) / 2));

        // Cascades: with k faults at once, an origin's owner and then its next owner can both fail undetected.
        public double UnprobedBoundMs => Lanes * (double)DetectionMs + 2.0 * IntervalMs;
    }

    /// <summary>The <c>soak</c> command.</summary>
    public static Command Command()
    {
        var outOption = CommonOptions.Out();
        var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 5 };
        var origins = new Option<int>("--origins") { DefaultValueFactory = _ => 200 };
        var minutes = new Option<double>("--minutes") { Description = "How long faults are injected", DefaultValueFactory = _ => 10 };
        var interval = CommonOptions.IntervalMs(1000);
        var loss = new Option<double>("--loss-percent") { Description = "SWIM packets dropped on purpose, in and out (Heck:Swim:InjectLossPercent)", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the fault plan", DefaultValueFactory = _ => 1 };
        var detection = new Option<int>("--detection-ms") { Description = "Failure detection allowed in the unprobed bound (detection + 2 intervals)", DefaultValueFactory = _ => 5000 };
        var maxFaulty = new Option<int>("--max-faulty") { Description = "Silos under a fault at once, at most (silos-1)/2; the unprobed bound is max-faulty x detection + 2 intervals", DefaultValueFactory = _ => 1 };
        var logs = new Option<string?>("--logs") { Description = "Write every silo's log (all generations) to this folder; by default only on FAIL, to a temp folder" };
        var partitions = new Option<bool>("--partitions") { Description = "Also cut the silos into two sides (1 to (silos-1)/2 against the rest) for 5-20 s, from the seeded plan; needs nft and root (.ci/nftables.sh)", DefaultValueFactory = _ => true };
        var churn = new Option<double>("--churn-per-minute") { Description = "Origins deleted or (re-)created per minute during the faults", DefaultValueFactory = _ => 4 };
        var siloArgs = new Option<string[]>("--silo-arg") { Description = "Extra argument for every silo, e.g. --silo-arg=--Logging:LogLevel:Heck=Debug (repeatable)" };
        var command = new Command("soak", "T minutes of random SIGKILL/SIGSTOP/SIGTERM, restarts, partitions and origin churn with SWIM packet loss; checks no origin lost or resurrected, none unprobed too long, no false health reading, replicas equal, one cluster")
        {
            silos, origins, minutes, interval, loss, seed, detection, maxFaulty, partitions, churn, siloArgs, logs, outOption,
        };
        command.SetAction((parse, ct) =>
        {
            var n = Math.Clamp(parse.GetValue(silos), 3, 20);
            return RunAsync(new Options(
                n, Math.Clamp(parse.GetValue(origins), 1, 10_000), Math.Clamp(parse.GetValue(minutes), 0.05, 24 * 60),
                Math.Clamp(parse.GetValue(interval), 100, 60_000), Math.Clamp(parse.GetValue(loss), 0, 50), parse.GetValue(seed),
                Math.Clamp(parse.GetValue(detection), 100, 600_000), Math.Clamp(parse.GetValue(maxFaulty), 1, (n - 1) / 2),
                parse.GetValue(outOption), parse.GetValue(siloArgs) ?? [], parse.GetValue(logs), parse.GetValue(partitions),
                Math.Clamp(parse.GetValue(churn), 0, 600)), Console.Out, ct);
        });
        return command;
    }

    internal const int SampleMs = 100;
    internal const int StallMs = 500;
    internal const int EqualWithinMs = 2000;
    internal const int EqualGiveUpMs = 30_000;
    internal static readonly TimeSpan JoinWithin = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        // Timestamps in the silo logs (kept in memory, written out on failure) line them up with the fault log.
        var extra = new List<string> { "--Logging:Console:TimestampFormat=HH:mm:ss.fff " };
        if (o.LossPercent > 0)
            extra.Add("--Heck:Swim:InjectLossPercent=" + o.LossPercent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        extra.AddRange(o.SiloArgs ?? []);
        await using var target = await SoakTarget.StartAsync();
        // Partitions cut by address: each silo on its own loopback address (deleted with the network at the end).
        LoopbackNetwork? network = null;
        try
        {
            if (o.Partitions) network = LoopbackNetwork.Create(o.Silos);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentOutOfRangeException)
        {
            await Console.Error.WriteLineAsync($"soak: partitions need at most 10 silos, nft and root ({ex.Message}); run .ci/nftables.sh or pass --partitions false.");
            return 2;
        }
        using var ownedNetwork = network;
        RestartableCluster cluster;
        try
        {
            cluster = await RestartableCluster.StartAsync(o.Silos, extra, ct, network);
        }
        catch (InvalidOperationException ex) when (o.LossPercent > 0 && ex.Message.Contains("InjectLossPercent", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync(
                "soak: the silo rejects --Heck:Swim:InjectLossPercent (this build has no loss injection); run with --loss-percent 0.\n" + ex.Message);
            return 2;
        }
        await using var _ = cluster;
        var run = new SoakRun(o, cluster, target);
        try
        {
            return await run.ExecuteAsync(output, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Keep what the silos said: an unexpected failure is what a soak is for.
            await Console.Error.WriteLineAsync($"soak: stopped by {ex.GetType().Name}: {ex.Message}");
            await run.WriteLogsAsync(output);
            throw;
        }
    }
}
