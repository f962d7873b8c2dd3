using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Xunit.Abstractions;

namespace Heck.Tests.Fuzzing;

/// <summary>
/// Seeded HTTP API fuzzing against one real silo process on loopback (<see cref="ApiCaseGenerator"/> makes the
/// cases). Oracle: no answer is 5xx (but the documented 503 of a causal token this silo has not seen), every
/// request is answered or its connection closed within a timeout, the silo serves at the end, and the origins
/// are exactly what the accepted writes made them: after every batch the list and each origin's ETag are
/// compared with a model built from the 2xx answers only, so a refused write that changed anything shows.
/// <c>HECK_FUZZ_SEED</c> replays a run (or <c>random</c>: a new draw; unset: a fixed seed), <c>HECK_FUZZ_CASES</c> sets the count (100,000 by default).
/// </summary>
[Trait("Category", "Slow")]
public sealed class ApiFuzzTests(ITestOutputHelper output)
{
    private const int Workers = 8;
    private const int BatchPerWorker = 250;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private sealed class Worker(int index)
    {
        public int Index { get; } = index;
        public Dictionary<string, string> ETags { get; } = new(StringComparer.Ordinal);
        public string? Token { get; set; }
    }

    private sealed class Tally
    {
        public readonly ConcurrentDictionary<string, int> ByStatus = new();
        public readonly ConcurrentDictionary<string, int> ByClass = new();
        public readonly ConcurrentDictionary<string, int> ByKind = new();
        public readonly ConcurrentDictionary<string, string> Unproblematic4xx = new();
        public readonly ConcurrentQueue<string> Violations = new();
        public void Count(ConcurrentDictionary<string, int> d, string key) => d.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    private readonly record struct Answer(RawEnd End, int Status, string ContentType, string Body, string? ETag, string? Token);

    [Fact]
    public async Task The_api_never_answers_5xx_nor_hangs_and_refused_writes_change_nothing()
    {
        var seed = FuzzSeed.From(Environment.GetEnvironmentVariable("HECK_FUZZ_SEED"), 31337);
        var cases = long.TryParse(Environment.GetEnvironmentVariable("HECK_FUZZ_CASES"), out var c) && c > 0 ? c : 100_000;
        output.WriteLine($"seed {seed}, {cases} cases (replay: HECK_FUZZ_SEED={seed} HECK_FUZZ_CASES={cases})");

        // Warnings and errors only: a line per accepted write would cost the silo more than the write. Unhandled
        // exceptions are errors, so the log check below still sees them.
        await using var silo = await SingleSilo.StartAsync("--Heck:Http:ListenAddress=127.0.0.1", "--Logging:LogLevel:Default=Warning");
        var port = silo.Process.HttpPort;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Workers * 2, AllowAutoRedirect = false, UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None, UseProxy = false,
        }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };

        var tally = new Tally();
        var workers = Enumerable.Range(0, Workers).Select(i => new Worker(i)).ToArray();
        var clock = Stopwatch.StartNew();

        // Bodies that stop arriving take Kestrel's 5 s grace to refuse: a few, alongside everything else.
        var stalls = Enumerable.Range(0, (int)Math.Clamp(cases / 10_000, 2, 20)).Select(i => StallAsync(port, i, tally)).ToList();

        long sent = 0;
        var batch = 0;
        while (sent < cases)
        {
            var start = sent;
            var perWorker = (int)Math.Min(BatchPerWorker, (cases - sent + Workers - 1) / Workers);
            await Task.WhenAll(workers.Select(w => Task.Run(async () =>
            {
                for (var k = 0; k < perWorker; k++)
                    await RunCaseAsync(http, port, seed, w, start / Workers + k, tally);
            })));
            sent += (long)perWorker * Workers;
            await CheckStateAsync(http, workers, ++batch, tally);
            if (tally.Violations.Count > 50) break;
        }
        await Task.WhenAll(stalls);
        await CheckStateAsync(http, workers, ++batch, tally);
        var elapsed = clock.Elapsed;

        using (var healthz = await http.GetAsync("/healthz"))
            if (healthz.StatusCode != HttpStatusCode.OK || silo.Process.HasExited) tally.Violations.Enqueue($"silo not serving at the end: {healthz.StatusCode}");
        var unhandled = silo.Process.Output.Split('\n').Count(l => l.Contains("An unhandled exception", StringComparison.Ordinal));
        if (unhandled > 0) tally.Violations.Enqueue($"the silo logged {unhandled} unhandled exception(s)");

        using (var siloProcess = Process.GetProcessById(silo.Process.Id))
            output.WriteLine($"CPU: silo {siloProcess.TotalProcessorTime.TotalSeconds:F1} s, test process {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s");
        output.WriteLine($"{sent} cases + {stalls.Count} stalled bodies in {elapsed.TotalSeconds:F1} s ({sent / elapsed.TotalSeconds:F0}/s), {batch} state checks");
        output.WriteLine("by class:  " + string.Join(", ", tally.ByClass.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        output.WriteLine("by status: " + string.Join(", ", tally.ByStatus.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        output.WriteLine("by kind:   " + string.Join(", ", tally.ByKind.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
        foreach (var (key, example) in tally.Unproblematic4xx.Take(10))
            output.WriteLine($"4xx without a problem body ({key}), e.g. {example}");
        foreach (var v in tally.Violations.Take(20)) output.WriteLine("VIOLATION " + v);
        Assert.True(tally.Violations.IsEmpty, $"{tally.Violations.Count} violation(s) with seed {seed}; first: {tally.Violations.FirstOrDefault()}");
    }

    private static async Task RunCaseAsync(HttpClient http, int port, int seed, Worker worker, long number, Tally tally)
    {
        Dictionary<string, string> etags;
        lock (worker) etags = new(worker.ETags);
        var @case = ApiCaseGenerator.Case(seed, worker.Index, number, etags, worker.Token);
        if (@case.Body is { } body && !(ApiCaseGenerator.NamesOnlyLoopback(body, patch: false) && ApiCaseGenerator.NamesOnlyLoopback(body, patch: true)))
            throw new InvalidOperationException($"the generator made a body naming a host that is not loopback: {@case.Describe()}");

        Answer answer;
        try
        {
            answer = @case.Raw || !TryRequest(@case, out var request)
                ? await SendRawAsync(port, @case, seed)
                : await SendAsync(http, request!);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or OverflowException)
        {
            tally.Violations.Enqueue($"malformed response ({ex.Message}) to {@case.Describe()}");
            return;
        }

        tally.Count(tally.ByKind, @case.Kind.ToString());
        if (answer.End == RawEnd.TimedOut)
        {
            tally.Count(tally.ByClass, "timeout");
            tally.Violations.Enqueue($"no answer within {RequestTimeout.TotalSeconds} s to {@case.Describe()}");
            return;
        }
        if (answer.End == RawEnd.Closed)
        {
            tally.Count(tally.ByClass, "closed");
            return;
        }
        tally.Count(tally.ByStatus, answer.Status.ToString());
        tally.Count(tally.ByClass, $"{answer.Status / 100}xx");
        if (answer.Status >= 500 && !(answer.Status == 503 && answer.Body.Contains(Heck.Silo.Api.CausalReads.NotCoveredType, StringComparison.Ordinal)))
            tally.Violations.Enqueue($"{answer.Status} {Shorten(answer.Body)} to {@case.Describe()}");
        if (answer.Status is >= 400 and < 500 && !answer.ContentType.StartsWith("application/problem+json", StringComparison.Ordinal))
            tally.Unproblematic4xx.TryAdd($"{answer.Status} {@case.Kind}", Shorten(@case.Describe()));
        if (answer.Status is >= 200 and < 300 && @case.IsWrite) await RecordAsync(http, worker, @case, answer, tally);
    }

    /// <summary>What an accepted write did to the worker's model: the origin it answered, with the ETag it answered.</summary>
    private static async Task RecordAsync(HttpClient http, Worker worker, ApiCase @case, Answer answer, Tally tally)
    {
        if (answer.Token is not null) lock (worker) worker.Token = answer.Token;
        if (@case.Method == "DELETE")
        {
            // Which id the path named after decoding and dot segments is the server's to say: whichever of the
            // worker's origins is gone now (nobody else writes them).
            List<string> known;
            lock (worker) known = worker.ETags.Keys.ToList();
            var gone = new List<string>();
            foreach (var id in known)
            {
                using var get = await http.GetAsync($"/api/origins/{id}");
                if (get.StatusCode == HttpStatusCode.NotFound) gone.Add(id);
            }
            lock (worker) foreach (var id in gone) worker.ETags.Remove(id);
            if (gone.Count != 1) tally.Violations.Enqueue($"an accepted delete removed {gone.Count} of the model's origins: {@case.Describe()}");
            return;
        }
        lock (worker)
        {
            string? written = null;
            try
            {
                written = JsonSerializer.Deserialize<JsonElement>(answer.Body).GetProperty("id").GetString();
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException) { }
            if (written is null || answer.ETag is null)
                tally.Violations.Enqueue($"an accepted write answered {answer.Status} without an origin and ETag: {Shorten(answer.Body)} to {@case.Describe()}");
            else if (!written.StartsWith($"w{worker.Index}-", StringComparison.Ordinal))
                tally.Violations.Enqueue($"worker {worker.Index} wrote origin '{written}', outside its ids: {@case.Describe()}");
            else worker.ETags[written] = answer.ETag;
        }
    }

    private static bool TryRequest(ApiCase @case, out HttpRequestMessage? request)
    {
        request = null;
        if (!Uri.TryCreate(@case.Target, UriKind.Relative, out var target)) return false;
        var message = new HttpRequestMessage(new HttpMethod(@case.Method), target);
        if (@case.Body is not null) message.Content = new ByteArrayContent(@case.Body);
        foreach (var (name, value) in @case.Headers)
        {
            var added = name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
                ? message.Content?.Headers.TryAddWithoutValidation(name, value) ?? false
                : message.Headers.TryAddWithoutValidation(name, value);
            if (!added || value.Any(ch => ch is '\r' or '\n' or '\0' || ch > 0x7e))
            {
                message.Dispose();
                return false;
            }
        }
        if (message.Content is not null && !@case.Headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
            message.Content.Headers.ContentType = null;
        request = message;
        return true;
    }

    private static async Task<Answer> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using var _ = request;
        using var cts = new CancellationTokenSource(RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, cts.Token);
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            return new(RawEnd.Answered, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "", body,
                response.Headers.ETag?.ToString(), Header(response.Headers, "Heck-Causal-Token"));
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return new(RawEnd.TimedOut, 0, "", "", null, null);
        }
        catch (HttpRequestException)
        {
            return new(RawEnd.Closed, 0, "", "", null, null);
        }
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task<Answer> SendRawAsync(int port, ApiCase @case, int seed)
    {
        var bytes = @case.ToBytes(new Random(HashCode.Combine(seed, @case.Number, "wire")));
        var response = await RawHttp.SendAsync(port, bytes, RequestTimeout, keepSending: !@case.HalfClose, head: @case.Method == "HEAD");
        return new(response.End, response.Status, response.ContentType, response.BodyText,
            response.Headers.TryGetValue("etag", out var etag) ? etag : null,
            response.Headers.TryGetValue("heck-causal-token", out var token) ? token : null);
    }

    /// <summary>A valid PUT whose body stops coming: 408 (or 400), and the origin is not created.</summary>
    private static async Task StallAsync(int port, int i, Tally tally)
    {
        var body = "{\"url\":\"http://127.0.0.1:9/\",\"intervalMs\":86400000}"u8.ToArray();
        var request = System.Text.Encoding.ASCII.GetBytes(
            $"PUT /api/origins/stall-{i} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length + 10}\r\n\r\n")
            .Concat(body[..(i % body.Length)]).ToArray();
        var response = await RawHttp.SendAsync(port, request, TimeSpan.FromSeconds(40), keepSending: true);
        tally.Count(tally.ByKind, "Stall");
        tally.Count(tally.ByClass, response.End == RawEnd.Answered ? $"{response.Status / 100}xx" : response.End.ToString().ToLowerInvariant());
        if (response.End == RawEnd.Answered) tally.Count(tally.ByStatus, response.Status.ToString());
        if (response.End == RawEnd.TimedOut || response.Status >= 500)
            tally.Violations.Enqueue($"stalled body {i}: {response.End} {response.Status} {Shorten(response.BodyText)}");
    }

    /// <summary>The silo's origins are exactly the models' ids, each with the model's ETag, every url on loopback.</summary>
    private static async Task CheckStateAsync(HttpClient http, Worker[] workers, int batch, Tally tally)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var w in workers)
            lock (w)
                foreach (var (id, etag) in w.ETags) expected[id] = etag;
        using var list = await http.GetAsync("/api/origins");
        var items = JsonSerializer.Deserialize<JsonElement>(await list.Content.ReadAsStringAsync()).GetProperty("items").EnumerateArray().ToList();
        var actual = items.Select(i => i.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var url = item.GetProperty("url").GetString()!;
            if (!ApiCaseGenerator.IsLoopbackHost(new Uri(url).Host)) tally.Violations.Enqueue($"batch {batch}: origin {item.GetProperty("id")} probes {url}, not loopback");
        }
        foreach (var id in actual.Except(expected.Keys)) tally.Violations.Enqueue($"batch {batch}: origin '{id}' exists, but no accepted write made it");
        foreach (var (id, etag) in expected)
        {
            if (!actual.Contains(id))
            {
                tally.Violations.Enqueue($"batch {batch}: origin '{id}' is missing, but no accepted delete removed it");
                continue;
            }
            using var get = await http.GetAsync($"/api/origins/{id}");
            if (get.Headers.ETag?.ToString() != etag)
                tally.Violations.Enqueue($"batch {batch}: origin '{id}' has ETag {get.Headers.ETag}, the last accepted write answered {etag}");
        }
    }

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
