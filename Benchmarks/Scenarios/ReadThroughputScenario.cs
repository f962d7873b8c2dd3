using System.Net;

namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// Read throughput of one silo: with N origins registered (probing a local target at a long
/// interval, so each has health), C concurrent clients issue <c>GET /api/origins/{random id}</c>
/// over one pooled <see cref="HttpClient"/> for a fixed time after a warm-up. Reports requests/s,
/// latency percentiles (request sent → body read), errors, and the silo's CPU per request.
/// </summary>
public static class ReadThroughputScenario
{
    public sealed record Options(int Origins, int Concurrency, int Seconds, int WarmupSeconds, int IntervalMs, int RegisterConcurrency, string? Out,
        bool Token = false, bool Https = false);

    /// <summary>Bounds each client's loop in count as well as in time.</summary>
    private const int MaxRequestsPerClient = 10_000_000;

    public sealed record Result(
        int Origins, int OriginsWithHealth, int Concurrency, double Seconds, long Requests, long Errors, double RequestsPerSecond,
        double P50Ms, double P99Ms, double MaxMs, double MeanMs, double SiloCpuSeconds, double RequestsPerSiloCpuSecond,
        double ClientCpuSeconds, double MachineBusyPercent, double RegistrationPerSecond, string? FirstError);

    public static Command Command()
    {
        var origins = new Option<int>("--origins") { Description = "Origins registered before reading", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent clients", DefaultValueFactory = _ => 32 };
        var seconds = new Option<int>("--seconds") { Description = "Measured length", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup-seconds") { Description = "Unmeasured load before measuring", DefaultValueFactory = _ => 3 };
        var interval = CommonOptions.IntervalMs(60_000, "Probe interval of the origins (long: reads are measured, not probes)");
        var register = CommonOptions.RegisterConcurrency();
        var output = CommonOptions.Out();
        var token = new Option<bool>("--token") { Description = "Configure a token on the silo and send it with every request (the cost of authentication)" };
        var https = new Option<bool>("--https") { Description = "Serve the API over HTTPS with a self-signed certificate made for the run (the cost of TLS)" };
        var command = new Command("read-throughput", "GET /api/origins/{id} requests/s and latency of one silo under concurrent clients")
        {
            origins, concurrency, seconds, warmup, interval, register, output, token, https,
        };
        command.SetAction((parse, ct) => RunAsync(new Options(
            Math.Clamp(parse.GetValue(origins), 1, 1_000_000), Math.Clamp(parse.GetValue(concurrency), 1, 4096),
            Math.Clamp(parse.GetValue(seconds), 1, 3600), Math.Clamp(parse.GetValue(warmup), 0, 600),
            Math.Clamp(parse.GetValue(interval), 100, 86_400_000), Math.Clamp(parse.GetValue(register), 1, 1024),
            parse.GetValue(output), parse.GetValue(token), parse.GetValue(https)), Console.Out, ct));
        return command;
    }

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        var log = Console.Error;
        using var security = ApiSecurity.Create(o.Token, o.Https);
        await using var bench = await SiloUnderLoad.StartAsync(security.SiloArgs());
        var (target, arrivals, pid) = (bench.Target, bench.Arrivals, bench.Pid);
        using var client = ApiLoad.Client(bench.HttpPort, Math.Max(o.Concurrency, o.RegisterConcurrency), TimeSpan.FromSeconds(10), security);
        log.WriteLine($"read-throughput: the API over {security}");

        log.WriteLine($"read-throughput: registering {o.Origins} origins every {o.IntervalMs} ms");
        var registration = await ApiLoad.RegisterAsync(client, target, "r", 0, o.Origins, o.IntervalMs, o.RegisterConcurrency, log, ct);
        // Each origin's first probe falls at a random phase of its interval: wait until all have
        // one, so every read finds health (bounded: an interval and a minute).
        var waitFor = Stopwatch.StartNew();
        var waitLimit = TimeSpan.FromMilliseconds(o.IntervalMs) + TimeSpan.FromMinutes(1);
        while (arrivals.DistinctPaths < o.Origins && waitFor.Elapsed < waitLimit)
            await Task.Delay(100, ct);
        // A probe reaches the replica a moment after the target answers it.
        await Task.Delay(500, ct);
        var withHealth = arrivals.DistinctPaths;
        if (withHealth < o.Origins)
            log.WriteLine($"read-throughput: only {withHealth} of {o.Origins} origins probed after {waitLimit.TotalSeconds:0} s; reading anyway");

        log.WriteLine($"read-throughput: {o.WarmupSeconds} s warm-up, then {o.Seconds} s measured with {o.Concurrency} clients");
        await RunClientsAsync(client, o, TimeSpan.FromSeconds(o.WarmupSeconds), seed: 1, ct);

        var cpu0 = ProcessStats.CpuSeconds(pid);
        var self0 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var machine0 = ProcessStats.MachineCpu.Now();
        var clock = Stopwatch.StartNew();
        var (latencies, errors, firstError) = await RunClientsAsync(client, o, TimeSpan.FromSeconds(o.Seconds), seed: 1000, ct);
        var elapsed = clock.Elapsed.TotalSeconds;
        var siloCpu = ProcessStats.CpuSeconds(pid) - cpu0;
        var selfCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - self0;
        var busy = ProcessStats.MachineCpu.Now().BusyPercentSince(machine0);

        var st = Stats.Of(latencies);
        double Finite(double x) => double.IsFinite(x) ? x : 0;
        var requests = latencies.Count + errors;
        var result = new Result(o.Origins, withHealth, o.Concurrency, elapsed, requests, errors, latencies.Count / elapsed,
            Finite(st.P50), Finite(st.P99), Finite(st.Max), Finite(st.Mean), siloCpu, siloCpu > 0 ? latencies.Count / siloCpu : 0,
            selfCpu, busy, registration.PerSecond, firstError);

        var report = new Report("read-throughput", new Dictionary<string, object>
        {
            ["origins"] = o.Origins, ["concurrency"] = o.Concurrency, ["seconds"] = o.Seconds,
            ["warmupSeconds"] = o.WarmupSeconds, ["intervalMs"] = o.IntervalMs, ["token"] = o.Token, ["https"] = o.Https,
        });
        report.Columns("origins", "clients", "requests/s", "p50 ms", "p99 ms", "max ms", "errors",
            "silo CPU % of a core", "requests per silo CPU-s", "client CPU % of a core", "machine busy %");
        report.Row($"{o.Origins}", $"{o.Concurrency}", $"{result.RequestsPerSecond:0}", $"{result.P50Ms:0.00}", $"{result.P99Ms:0.00}",
            $"{result.MaxMs:0.0}", $"{errors}", $"{100 * siloCpu / elapsed:0}", $"{result.RequestsPerSiloCpuSecond:0}",
            $"{100 * selfCpu / elapsed:0}", $"{busy:0}");
        report.Results["read"] = result;
        report.Print(output);
        if (firstError is not null) output.WriteLine($"First error: {firstError}");
        output.WriteLine($"Registration: {o.Origins} origins at {registration.PerSecond:0}/s; {withHealth} had health when reading began.");
        output.WriteLine();
        if (o.Out is { } path) await report.WriteJsonAsync(path);
        return 0;
    }

    /// <summary>Runs the clients for <paramref name="duration"/>: each latency in ms, the errors, and the first error.</summary>
    private static async Task<(List<double> Latencies, long Errors, string? FirstError)> RunClientsAsync(
        HttpClient client, Options o, TimeSpan duration, int seed, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long errors = 0;
        string? firstError = null;
        var perClient = await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(c => Task.Run(async () =>
        {
            var random = new Random(seed + c);
            var latencies = new List<double>();
            for (var n = 0; n < MaxRequestsPerClient && Stopwatch.GetTimestamp() < deadline; n++)
            {
                ct.ThrowIfCancellationRequested();
                var id = $"r{random.Next(o.Origins)}";
                var started = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    using var response = await client.GetAsync($"/api/origins/{id}", HttpCompletionOption.ResponseContentRead, ct);
                    if (response.StatusCode != HttpStatusCode.OK) error = $"GET /api/origins/{id}: {(int)response.StatusCode}";
                }
                catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException)
                {
                    error = $"GET /api/origins/{id}: {ex.GetType().Name}: {ex.Message}";
                }
                if (error is null) latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                else
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
            return latencies;
        }, ct)));
        return (perClient.SelectMany(l => l).ToList(), Interlocked.Read(ref errors), firstError);
    }
}
