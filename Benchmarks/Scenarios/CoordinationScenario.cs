using System.Globalization;
using System.Net;

namespace Heck.Benchmarks.Scenarios;

/// <summary>
/// The cost of coordination. On 1 … <c>--max-silos</c> silos (a fresh cluster each), with a fixed
/// set of origins registered (probing a loopback target once an hour, so reads and writes are
/// measured, not probes), <c>--concurrency</c> clients spread over the silos run, each for
/// <c>--seconds</c>: reads at <c>consistency=local</c> (the replica, no coordination), <c>causal</c>
/// (with a session token from a write the client made on another silo just before), <c>owner</c>
/// (the owning grain: the coordinated path), and writes (PUT). For each: throughput, latency,
/// 503s, Orleans messages per operation summed over every silo (machine-independent), and for
/// token reads the share that waited for the replica and how long. The Universal Scalability
/// Law is fitted to throughput against silos per operation. Then, on the largest cluster, the
/// anomaly tokens remove: a PUT on silo A, then 0, 10, 100 ms later a GET on silo B without and
/// with the token; how often each misses the write.
/// </summary>
public static class CoordinationScenario
{
    public const string TokenHeader = "Heck-Causal-Token";
    public const string WaitHeader = "Heck-Causal-Wait-Ms";

    /// <summary>Long, so an origin is read and written, hardly probed.</summary>
    private const int BaseIntervalMs = 3_600_000;
    /// <summary>Bounds each client's loop in count as well as in time.</summary>
    private const int MaxRequestsPerClient = 10_000_000;
    private static readonly int[] DelaysMs = [0, 10, 100];
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(2);

    public enum Operation { Local, Causal, Owner, Write }

    public sealed record Options(int MaxSilos, int Seconds, int WarmupSeconds, int Concurrency, int Origins, int Rounds, int MaxMinutes, string? Out);

    /// <summary>What the silos under test answer: read levels (<c>?consistency=</c>) and causal tokens.</summary>
    public sealed record Support(bool Levels, bool Tokens);

    public sealed record LevelResult(
        int Silos, string Operation, double Seconds, long Ok, long Unavailable, long Errors, double PerSecond, double P50Ms, double P99Ms,
        double RemoteMessagesPerOp, double LocalMessagesPerOp, double GossipDeltasPerOp,
        long TokenReads, double WaitedShare, double WaitP50Ms, double WaitP99Ms, double MachineBusyPercent, string? FirstError);

    public sealed record ClusterIdle(int Silos, double RemoteMessagesPerSecond, double RegistrationPerSecond);

    public sealed record ScalabilityFit(string Operation, double? Lambda, double? Sigma, double? Kappa, double? RSquared, string? Reason);

    public sealed record AnomalyResult(
        int DelayMs, int Rounds, int Silos, int PlainMisses, int? TokenMisses, int? TokenUnavailable, int Errors,
        double? WaitedShare, double? WaitP50Ms, double? WaitP99Ms, double PlainP99Ms, double? TokenP99Ms);

    public static Command Command()
    {
        var maxSilos = new Option<int>("--max-silos") { Description = "Measure on 1 … this many silos", DefaultValueFactory = _ => 5 };
        var seconds = new Option<int>("--seconds") { Description = "Measured length of each operation at each cluster size", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup-seconds") { Description = "Unmeasured load before each measurement", DefaultValueFactory = _ => 1 };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent clients, spread over the silos", DefaultValueFactory = _ => 16 };
        var origins = new Option<int>("--origins") { Description = "Origins registered and read", DefaultValueFactory = _ => 200 };
        var rounds = new Option<int>("--rounds") { Description = "Write-then-read rounds per delay (0, 10, 100 ms)", DefaultValueFactory = _ => 100 };
        var maxMinutes = CommonOptions.MaxMinutes(15, "Abort after this long");
        var output = CommonOptions.Out();
        var command = new Command("coordination", "Reads at local, causal and owner consistency and writes on 1 … N silos: throughput, latency, messages per op, USL fit, and the anomaly tokens remove")
        {
            maxSilos, seconds, warmup, concurrency, origins, rounds, maxMinutes, output,
        };
        command.SetAction((parse, ct) => RunAsync(new Options(
            Math.Clamp(parse.GetValue(maxSilos), 1, 9), Math.Clamp(parse.GetValue(seconds), 1, 600),
            Math.Clamp(parse.GetValue(warmup), 0, 60), Math.Clamp(parse.GetValue(concurrency), 1, 1024),
            Math.Clamp(parse.GetValue(origins), 1, 100_000), Math.Clamp(parse.GetValue(rounds), 1, 10_000),
            Math.Clamp(parse.GetValue(maxMinutes), 1, 24 * 60), parse.GetValue(output)), Console.Out, ct));
        return command;
    }

    public static async Task<int> RunAsync(Options o, TextWriter output, CancellationToken ct)
    {
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cap.CancelAfter(TimeSpan.FromMinutes(o.MaxMinutes));
        var token = cap.Token;
        var log = Console.Error;
        var stage = "starting the target";
        var levels = new List<LevelResult>();
        var idle = new List<ClusterIdle>();
        var anomaly = new List<AnomalyResult>();
        var failures = new List<string>();
        Support? support = null;
        var load0 = LoadAverage();
        try
        {
            await using var target = await TargetServer.StartAsync();
            for (var n = 1; n <= o.MaxSilos; n++)
            {
                try
                {
                    support = await MeasureClusterAsync(n, o, target, support, levels, idle, anomaly, s => stage = s, log, token);
                }
                // A silo that dies or stops answering under load ends this cluster size, not the run.
                catch (Exception ex) when (!token.IsCancellationRequested && ex is HttpRequestException or TimeoutException or TaskCanceledException or InvalidOperationException)
                {
                    var note = $"{stage}: {ex.GetType().Name}: {ex.Message}";
                    log.WriteLine($"coordination: abandoned {note}");
                    failures.Add(note);
                }
            }
        }
        catch (OperationCanceledException) when (cap.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var message = $"coordination: aborted: the --max-minutes cap ({o.MaxMinutes} min) was reached during {stage}";
            log.WriteLine(message);
            output.WriteLine(message);
            return 3;
        }

        if (support is null)
        {
            output.WriteLine($"coordination: nothing measured: {string.Join("; ", failures)}");
            return 1;
        }
        failures.Add($"load average (1 min) at start / end: {load0} / {LoadAverage()}");
        await PublishAsync(o, support, levels, idle, anomaly, failures, output);
        return 0;
    }

    private static async Task<Support> MeasureClusterAsync(int n, Options o, TargetServer target, Support? support, List<LevelResult> levels,
        List<ClusterIdle> idle, List<AnomalyResult> anomaly, Action<string> stage, TextWriter log, CancellationToken token)
    {
        stage($"starting {n} silo(s)");
        log.WriteLine($"coordination: starting {n} silo(s)");
        await using var cluster = await LocalCluster.StartAsync(n, token);
        var apis = cluster.Silos.Select(s => ApiLoad.Client(s.HttpPort, o.Concurrency + 4, TimeSpan.FromSeconds(10))).ToArray();
        try
        {
            stage($"registering on {n} silo(s)");
            var registration = await ApiLoad.RegisterAsync(apis[0], target, "o", 0, o.Origins, BaseIntervalMs, 16, log, token);
            await WaitReplicatedAsync(apis, o.Origins, token);
            support ??= await DetectAsync(apis[0], target, token);
            if (n == 1)
                log.WriteLine($"coordination: silos answer read levels: {support.Levels}, causal tokens: {support.Tokens}");

            var idle0 = await ClusterTraffic.ReadAsync(apis, token);
            await Task.Delay(IdleWindow, token);
            var idleRate = ((await ClusterTraffic.ReadAsync(apis, token)) - idle0).Remote / IdleWindow.TotalSeconds;
            idle.Add(new ClusterIdle(n, idleRate, registration.PerSecond));

            foreach (var op in Enum.GetValues<Operation>())
            {
                if (op == Operation.Causal && !support.Tokens) continue;
                if (op == Operation.Owner && !support.Levels) continue;
                stage($"{Name(op)} on {n} silo(s)");
                log.WriteLine($"coordination: {Name(op)} on {n} silo(s): {o.WarmupSeconds} s warm-up, {o.Seconds} s measured, {o.Concurrency} clients");
                levels.Add(await MeasureAsync(apis, op, target, o, n, token));
                if (cluster.Silos.FirstOrDefault(s => s.HasExited) is { } gone)
                    throw new InvalidOperationException($"a silo exited (code {gone.ExitCode}): {Tail(gone.Output)}");
            }

            if (n == o.MaxSilos && n >= 2)
            {
                stage($"anomaly rounds on {n} silo(s)");
                log.WriteLine($"coordination: anomaly rounds on {n} silo(s)");
                await ApiLoad.RegisterAsync(apis[0], target, "x", 0, o.Rounds, BaseIntervalMs, 16, null, token);
                await WaitReplicatedAsync(apis, o.Origins + o.Rounds + (support.Tokens ? o.Concurrency : 0), token);
                for (var k = 0; k < DelaysMs.Length; k++)
                    anomaly.Add(await AnomalyAsync(apis, target, DelaysMs[k], BaseIntervalMs - 1000 * (k + 1), o.Rounds, support.Tokens, token));
            }
            return support;
        }
        finally
        {
            foreach (var api in apis) api.Dispose();
        }
    }

    private static string Tail(string text) => text.Length <= 600 ? text.Trim() : text[^600..].Trim();

    /// <summary>The 1-minute load average (first field of /proc/loadavg); "?" when unreadable.</summary>
    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }

    private static string Name(Operation op) => op switch
    {
        Operation.Local => "read local",
        Operation.Causal => "read causal (token)",
        Operation.Owner => "read owner",
        _ => "write (PUT)",
    };

    /// <summary>
    /// Whether the silos parse <c>?consistency=</c> (an unknown level is a 400, where a build
    /// without levels ignores the query) and answer a write with a causal token.
    /// </summary>
    private static async Task<Support> DetectAsync(HttpClient api, TargetServer target, CancellationToken ct)
    {
        using var probe = await api.GetAsync("/api/origins/o0?consistency=no-such-level", ct);
        using var write = await api.PutAsJsonAsync("/api/origins/o0", new { url = target.Url("/o0"), intervalMs = BaseIntervalMs }, ct);
        write.EnsureSuccessStatusCode();
        return new Support(probe.StatusCode == HttpStatusCode.BadRequest, write.Headers.Contains(TokenHeader));
    }

    /// <summary>Until every silo's replica holds at least <paramref name="origins"/> origins (bounded: a minute).</summary>
    private static Task WaitReplicatedAsync(HttpClient[] apis, int origins, CancellationToken ct) =>
        LocalCluster.WaitAsync(async () => (await Task.WhenAll(apis.Select(async a =>
                (await a.GetFromJsonAsync<JsonElement>("/api/cluster/replica", ct)).GetProperty("origins").GetInt32()))).All(c => c >= origins),
            TimeSpan.FromSeconds(60), $"every replica holds {origins} origins", ct);

    private static async Task<LevelResult> MeasureAsync(HttpClient[] apis, Operation op, TargetServer target, Options o, int n, CancellationToken ct)
    {
        // A causal client's token comes from its own write on the next silo, made just before it reads.
        var tokens = new string?[o.Concurrency];
        if (op == Operation.Causal)
            for (var c = 0; c < o.Concurrency; c++)
                tokens[c] = await WriteAsync(apis[(c + 1) % n], $"k{c}", target, BaseIntervalMs - 1000 * (n + 1), ct);

        await RunClientsAsync(apis, op, tokens, target, o, TimeSpan.FromSeconds(o.WarmupSeconds), seed: 1, ct);
        var traffic0 = await ClusterTraffic.ReadAsync(apis, ct);
        var machine0 = ProcessStats.MachineCpu.Now();
        var clock = Stopwatch.StartNew();
        var run = await RunClientsAsync(apis, op, tokens, target, o, TimeSpan.FromSeconds(o.Seconds), seed: 1000 * n, ct);
        var elapsed = clock.Elapsed.TotalSeconds;
        var busy = ProcessStats.MachineCpu.Now().BusyPercentSince(machine0);
        var traffic = await ClusterTraffic.ReadAsync(apis, ct) - traffic0;

        var latency = Stats.Of(run.Latencies);
        var waited = run.Waits.Where(w => w > 0).ToList();
        var wait = Stats.Of(waited);
        var ops = Math.Max(1, run.Ok + run.Unavailable + run.Errors);
        return new LevelResult(n, Name(op), elapsed, run.Ok, run.Unavailable, run.Errors, run.Ok / elapsed,
            Finite(latency.P50), Finite(latency.P99), (double)traffic.Remote / ops, (double)traffic.Local / ops, (double)traffic.GossipDeltas / ops,
            run.Waits.Count, run.Waits.Count > 0 ? (double)waited.Count / run.Waits.Count : 0, Finite(wait.P50), Finite(wait.P99), busy, run.FirstError);
    }

    private static double Finite(double x) => double.IsFinite(x) ? x : 0;

    private sealed record Run(List<double> Latencies, List<double> Waits, long Ok, long Unavailable, long Errors, string? FirstError);

    /// <summary>Client c uses silo c mod N; each runs for <paramref name="duration"/>, bounded in count too.</summary>
    private static async Task<Run> RunClientsAsync(HttpClient[] apis, Operation op, string?[] tokens, TargetServer target, Options o,
        TimeSpan duration, int seed, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long ok = 0, unavailable = 0, errors = 0;
        string? firstError = null;
        var perClient = await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(c => Task.Run(async () =>
        {
            var api = apis[c % apis.Length];
            var random = new Random(seed + c);
            var latencies = new List<double>();
            var waits = new List<double>();
            for (var i = 0; i < MaxRequestsPerClient && Stopwatch.GetTimestamp() < deadline; i++)
            {
                ct.ThrowIfCancellationRequested();
                var id = $"o{random.Next(o.Origins)}";
                using var request = op == Operation.Write
                    // A new interval on (nearly) every PUT, so each is a real change of the spec.
                    ? new HttpRequestMessage(HttpMethod.Put, $"/api/origins/{id}")
                    {
                        Content = JsonContent.Create(new { url = target.Url($"/{id}"), intervalMs = BaseIntervalMs - 1000 * random.Next(1, 1000) }),
                    }
                    : new HttpRequestMessage(HttpMethod.Get, $"/api/origins/{id}?consistency={op.ToString().ToLowerInvariant()}");
                if (tokens[c] is { } t) request.Headers.TryAddWithoutValidation(TokenHeader, t);
                var started = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    using var response = await api.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (WaitOf(response) is { } w) waits.Add(w);
                    if (response.IsSuccessStatusCode)
                    {
                        latencies.Add(ms);
                        Interlocked.Increment(ref ok);
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable) Interlocked.Increment(ref unavailable);
                    else error = $"{request.Method} {request.RequestUri}: {(int)response.StatusCode}";
                }
                catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException)
                {
                    error = $"{request.Method} {request.RequestUri}: {ex.GetType().Name}: {ex.Message}";
                }
                if (error is not null)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
            return (latencies, waits);
        }, ct)));
        return new Run(perClient.SelectMany(p => p.latencies).ToList(), perClient.SelectMany(p => p.waits).ToList(),
            Interlocked.Read(ref ok), Interlocked.Read(ref unavailable), Interlocked.Read(ref errors), firstError);
    }

    private static double? WaitOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(WaitHeader, out var values)
        && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? ms : null;

    /// <summary>PUTs <paramref name="id"/> with <paramref name="intervalMs"/>; the answer's causal token, if any.</summary>
    private static async Task<string?> WriteAsync(HttpClient api, string id, TargetServer target, int intervalMs, CancellationToken ct)
    {
        using var response = await api.PutAsJsonAsync($"/api/origins/{id}", new { url = target.Url($"/{id}"), intervalMs }, ct);
        response.EnsureSuccessStatusCode();
        return response.Headers.TryGetValues(TokenHeader, out var values) ? values.FirstOrDefault() : null;
    }

    /// <summary>
    /// Round r: a new interval for <c>x{r}</c> PUT on silo r mod N, then after <paramref name="delayMs"/>
    /// a GET of it on the next silo without a token and, at the same moment, one with the write's token.
    /// A read misses when it does not answer the new interval (a 503 of a token read is counted apart).
    /// </summary>
    private static async Task<AnomalyResult> AnomalyAsync(HttpClient[] apis, TargetServer target, int delayMs, int intervalMs, int rounds,
        bool tokens, CancellationToken ct)
    {
        int plainMisses = 0, tokenMisses = 0, tokenUnavailable = 0, errors = 0;
        var waits = new List<double>();
        var (plainLatency, tokenLatency) = (new List<double>(), new List<double>());
        for (var r = 0; r < rounds; r++)
        {
            var (a, b) = (apis[r % apis.Length], apis[(r + 1) % apis.Length]);
            var id = $"x{r}";
            string? token;
            try { token = await WriteAsync(a, id, target, intervalMs, ct); }
            catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException) { errors++; continue; }
            if (delayMs > 0) await Task.Delay(delayMs, ct);
            var plain = ReadAsync(b, id, null, ct);
            var causal = tokens && token is not null ? ReadAsync(b, id, token, ct) : null;
            var p = await plain;
            if (p.Status == Failed) errors++;
            else
            {
                plainLatency.Add(p.Ms);
                if (p.Status != HttpStatusCode.OK || p.IntervalMs != intervalMs) plainMisses++;
            }
            if (causal is null) continue;
            var t = await causal;
            if (t.Status == Failed) { errors++; continue; }
            tokenLatency.Add(t.Ms);
            if (t.WaitMs is { } w) waits.Add(w);
            if (t.Status == HttpStatusCode.ServiceUnavailable) tokenUnavailable++;
            else if (t.Status != HttpStatusCode.OK || t.IntervalMs != intervalMs) tokenMisses++;
        }
        var waited = waits.Where(w => w > 0).ToList();
        var wait = Stats.Of(waited);
        return new AnomalyResult(delayMs, rounds, apis.Length, plainMisses, tokens ? tokenMisses : null, tokens ? tokenUnavailable : null, errors,
            tokens && waits.Count > 0 ? (double)waited.Count / waits.Count : null, tokens ? Finite(wait.P50) : null, tokens ? Finite(wait.P99) : null,
            Finite(Stats.Of(plainLatency).P99), tokens ? Finite(Stats.Of(tokenLatency).P99) : null);
    }

    private readonly record struct Read(HttpStatusCode Status, int? IntervalMs, double? WaitMs, double Ms);

    /// <summary>The status of a read that got no answer (refused connection, timeout).</summary>
    private const HttpStatusCode Failed = 0;

    private static async Task<Read> ReadAsync(HttpClient api, string id, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, token is null ? $"/api/origins/{id}" : $"/api/origins/{id}?consistency=causal");
        if (token is not null) request.Headers.TryAddWithoutValidation(TokenHeader, token);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await api.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            int? interval = null;
            if (response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).TryGetProperty("intervalMs", out var i) && i.TryGetInt32(out var v))
                interval = v;
            return new Read(response.StatusCode, interval, WaitOf(response), ms);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException)
        {
            return new Read(Failed, null, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static async Task PublishAsync(Options o, Support support, List<LevelResult> levels, List<ClusterIdle> idle,
        List<AnomalyResult> anomaly, List<string> notes, TextWriter output)
    {
        var parameters = new Dictionary<string, object>
        {
            ["maxSilos"] = o.MaxSilos, ["seconds"] = o.Seconds, ["warmupSeconds"] = o.WarmupSeconds, ["concurrency"] = o.Concurrency,
            ["origins"] = o.Origins, ["rounds"] = o.Rounds,
        };
        var report = new Report("coordination", parameters);
        report.Columns("silos", "operation", "ops/s", "p50 ms", "p99 ms", "503s", "errors", "msgs/op between silos", "local msgs/op",
            "token reads that waited", "wait p50 / p99 ms", "machine busy %");
        foreach (var l in levels)
            report.Row($"{l.Silos}", l.Operation, $"{l.PerSecond:0}", $"{l.P50Ms:0.00}", $"{l.P99Ms:0.00}", $"{l.Unavailable}", $"{l.Errors}",
                $"{l.RemoteMessagesPerOp:0.00}", $"{l.LocalMessagesPerOp:0.00}",
                l.TokenReads > 0 ? $"{l.WaitedShare:P1} of {l.TokenReads}" : "–", l.TokenReads > 0 ? $"{l.WaitP50Ms:0.#} / {l.WaitP99Ms:0.#}" : "–",
                $"{l.MachineBusyPercent:0}");
        report.Print(output);
        foreach (var l in levels.Where(l => l.FirstError is not null))
            output.WriteLine($"First error ({l.Operation} on {l.Silos} silos): {l.FirstError}");
        output.WriteLine($"Idle Orleans messages/s between silos (gossip, membership) by cluster size: {string.Join(", ", idle.Select(i => $"{i.Silos}: {i.RemoteMessagesPerSecond:0}"))}; they are included in msgs/op.");
        if (!support.Levels) output.WriteLine("The silos ignore ?consistency= (no read levels in this build): owner reads not measured.");
        if (!support.Tokens) output.WriteLine("Writes answer no Heck-Causal-Token (no tokens in this build): causal reads not measured.");
        foreach (var note in notes) output.WriteLine($"Note: {note}.");
        output.WriteLine();

        var fits = levels.GroupBy(l => l.Operation).Select(g =>
        {
            var fit = UslFit.TryFit(g.Select(l => ((double)l.Silos, l.PerSecond)).ToList(), out var reason);
            return new ScalabilityFit(g.Key, fit?.Lambda, fit?.Sigma, fit?.Kappa, fit?.RSquared, reason);
        }).ToList();
        var usl = new Report("coordination: Universal Scalability Law fit of ops/s against silos", parameters);
        usl.Columns(["operation", "λ ops/s", "σ contention", "κ coherency", "R²", .. Enumerable.Range(1, o.MaxSilos).Select(n => $"ops/s at {n}")]);
        foreach (var f in fits)
        {
            var at = Enumerable.Range(1, o.MaxSilos).Select(n => levels.FirstOrDefault(l => l.Operation == f.Operation && l.Silos == n)?.PerSecond is { } x ? $"{x:0}" : "–");
            usl.Row([f.Operation, .. f.Reason is null
                ? new[] { $"{f.Lambda:0}", $"{f.Sigma:0.000}", $"{f.Kappa:0.0000}", $"{f.RSquared:0.00}" }
                : new[] { $"n/a: {f.Reason}", "", "", "" }, .. at]);
        }
        usl.Print(output);

        if (anomaly.Count > 0)
        {
            var table = new Report($"coordination: a write on silo A, then a read on silo B ({anomaly[0].Silos} silos)", parameters);
            table.Columns("delay ms", "rounds", "reads without token that missed the write", "token reads that missed", "token reads 503",
                "token reads that waited", "wait p50 / p99 ms", "p99 ms without / with token", "errors (no answer)");
            foreach (var a in anomaly)
                table.Row($"{a.DelayMs}", $"{a.Rounds}", $"{a.PlainMisses}", a.TokenMisses?.ToString(CultureInfo.InvariantCulture) ?? "n/a",
                    a.TokenUnavailable?.ToString(CultureInfo.InvariantCulture) ?? "n/a", a.WaitedShare is { } s ? $"{s:P0}" : "n/a",
                    a.WaitP50Ms is { } w50 ? $"{w50:0.#} / {a.WaitP99Ms:0.#}" : "n/a", $"{a.PlainP99Ms:0.0} / {(a.TokenP99Ms is { } t ? $"{t:0.0}" : "n/a")}",
                    $"{a.Errors}");
            table.Print(output);
        }

        report.Results["support"] = support;
        report.Results["levels"] = levels;
        report.Results["idle"] = idle;
        report.Results["usl"] = fits;
        report.Results["anomaly"] = anomaly;
        report.Results["notes"] = notes;
        if (o.Out is { } path) await report.WriteJsonAsync(path);
    }
}
