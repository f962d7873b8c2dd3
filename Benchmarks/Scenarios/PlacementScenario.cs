using Heck.Grains.Placement;

namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Pure computation, no processes: how evenly origins spread over silos (max/mean owned) and which
/// fraction moves when a silo joins or leaves, for rendezvous hashing, a consistent-hash ring and
/// hash mod n (Orleans' <c>HashBasedPlacement</c>: a stable hash modulo the sorted silo list).
/// All three use the same 64-bit hash and silo identities shaped like the director's (<c>ip:port</c>).
/// </summary>
public static class PlacementScenario
{
    public sealed record Options(int Origins, int Silos, string? Out);

    public const int VirtualNodes = 100;

    public static Command Command()
    {
        var origins = new Option<int>("--origins") { DefaultValueFactory = _ => 100_000 };
        var silos = new Option<int>("--silos") { DefaultValueFactory = _ => 10 };
        var output = CommonOptions.Out();
        var command = new Command("placement", "Balance and movement of rendezvous vs a consistent-hash ring vs hash mod n (pure)")
        {
            origins, silos, output,
        };
        command.SetAction((parse, ct) => RunAsync(new Options(
            Math.Clamp(parse.GetValue(origins), 1, 10_000_000), Math.Clamp(parse.GetValue(silos), 2, 1000), parse.GetValue(output)), Console.Out, ct));
        return command;
    }

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        if (o.Origins < 1 || o.Silos < 2) throw new ArgumentOutOfRangeException(nameof(o), "need ≥ 1 origin and ≥ 2 silos");
        var keys = Enumerable.Range(0, o.Origins).Select(i => $"origin-{i:D6}").ToArray();
        var silos = Enumerable.Range(0, o.Silos + 1).Select(Silo).ToArray(); // the last one only joins

        var report = new Report("placement", new Dictionary<string, object>
        {
            ["origins"] = o.Origins, ["silos"] = o.Silos, ["virtualNodes"] = VirtualNodes,
        });
        report.Columns("strategy", "max/mean owned", "min/mean owned",
            $"moved on join {o.Silos}→{o.Silos + 1}", "optimum join",
            $"moved on leave {o.Silos}→{o.Silos - 1} (mean, worst leaver)", "optimum leave");
        foreach (var (name, owners) in Strategies())
        {
            var result = await Task.Run(() => Measure(keys, silos, owners, ct), ct);
            report.Row(name, $"{result.MaxOverMean:0.000}", $"{result.MinOverMean:0.000}", $"{result.Join:0.0000}",
                $"{1.0 / (o.Silos + 1):0.0000}", $"{result.LeaveMean:0.0000}, {result.LeaveWorst:0.0000}", $"{1.0 / o.Silos:0.0000}");
            report.Results[name] = result;
        }
        await report.PublishAsync(output, o.Out);
        return 0;
    }

    public sealed record Result(double MaxOverMean, double MinOverMean, double Join, double LeaveMean, double LeaveWorst);

    /// <summary>Owner index of every key among <c>silos</c>.</summary>
    public delegate int[] Owners(string[] keys, string[] silos);

    public static IEnumerable<(string Name, Owners Owners)> Strategies() =>
    [
        ("rendezvous (HRW)", Rendezvous),
        ($"consistent-hash ring, {VirtualNodes} vnodes/silo", Ring),
        ("hash mod n (HashBasedPlacement)", ModN),
    ];

    public static string Silo(int i) => $"10.0.{i / 250}.{i % 250 + 1}:11111";

    public static Result Measure(string[] keys, string[] all, Owners owners, CancellationToken ct = default)
    {
        var n = all.Length - 1;
        var before = owners(keys, all[..n]);
        var counts = new int[n];
        foreach (var s in before) counts[s]++;
        var mean = (double)keys.Length / n;
        var join = Moved(before, owners(keys, all), keys.Length);
        double leaveSum = 0, leaveWorst = 0;
        for (var leaver = 0; leaver < n; leaver++)
        {
            ct.ThrowIfCancellationRequested();
            var rest = all[..n].Where((_, i) => i != leaver).ToArray();
            var after = owners(keys, rest);
            var moved = 0;
            // Map back to indices among the n silos, so "same owner" compares the same silo.
            for (var k = 0; k < keys.Length; k++)
                if (after[k] + (after[k] >= leaver ? 1 : 0) != before[k]) moved++;
            var fraction = (double)moved / keys.Length;
            leaveSum += fraction;
            leaveWorst = Math.Max(leaveWorst, fraction);
        }
        return new Result(counts.Max() / mean, counts.Min() / mean, join, leaveSum / n, leaveWorst);
    }

    // Join appends a silo, so indices of existing silos are unchanged.
    private static double Moved(int[] before, int[] after, int total) =>
        (double)before.Where((s, k) => after[k] != s).Count() / total;

    public static int[] Rendezvous(string[] keys, string[] silos)
    {
        var nodes = silos.Select(s => new RendezvousNode(s)).ToArray();
        return keys.Select(key => RendezvousRanking.OwnerIndex(key, nodes)).ToArray();
    }

    public static int[] Ring(string[] keys, string[] silos)
    {
        var points = new (ulong Position, int Silo)[silos.Length * VirtualNodes];
        for (var s = 0; s < silos.Length; s++)
            for (var v = 0; v < VirtualNodes; v++) points[s * VirtualNodes + v] = (Hash($"{silos[s]}#{v}"), s);
        Array.Sort(points);
        var positions = points.Select(p => p.Position).ToArray();
        return keys.Select(key =>
        {
            var i = Array.BinarySearch(positions, Hash(key));
            if (i < 0) i = ~i; // first point clockwise of the key
            return points[i == points.Length ? 0 : i].Silo;
        }).ToArray();
    }

    public static int[] ModN(string[] keys, string[] silos)
    {
        var sorted = Enumerable.Range(0, silos.Length).OrderBy(i => silos[i], StringComparer.Ordinal).ToArray();
        return keys.Select(key => sorted[(int)(Hash(key) % (ulong)silos.Length)]).ToArray();
    }

    // Ring positions and mod-n buckets use the same well-mixed 64-bit hash as rendezvous, so the
    // comparison is between strategies, not between hash functions.
    private static ulong Hash(string text) => RendezvousRanking.Hash(text, "");
}
