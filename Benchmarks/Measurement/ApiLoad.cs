using System.Net;

namespace Heck.Benchmarks.Measurement;

/// <summary>
/// HTTP load against a silo's API: one <see cref="HttpClient"/> over a <see cref="SocketsHttpHandler"/>
/// with enough connections, and bulk registration of origins with bounded concurrency.
/// </summary>
public static class ApiLoad
{
    /// <summary>A pooled client of the API on <paramref name="port"/>; <paramref name="security"/> adds HTTPS and a token.</summary>
    public static HttpClient Client(int port, int connections, TimeSpan? timeout = null, ApiSecurity? security = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, connections),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        security?.Apply(handler);
        var client = new HttpClient(handler)
        {
            BaseAddress = new Uri($"{security?.Scheme ?? "http"}://127.0.0.1:{port}"),
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        security?.Apply(client);
        return client;
    }

    public sealed record Registration(int Count, double Seconds, int Retries)
    {
        public double PerSecond => Seconds > 0 ? Count / Seconds : 0;
    }

    /// <summary>
    /// PUTs origins <paramref name="from"/> … <paramref name="to"/>−1 (<c>{prefix}{i}</c>, probing
    /// <c>{target}/{prefix}{i}</c> every <paramref name="intervalMs"/>) with at most
    /// <paramref name="concurrency"/> requests in flight. Each request is retried at most 3 times
    /// (a busy silo may time out); a fourth failure throws. Progress goes to <paramref name="progress"/>
    /// every 10 s.
    /// </summary>
    public static async Task<Registration> RegisterAsync(
        HttpClient api, TargetServer target, string prefix, int from, int to, int intervalMs, int concurrency,
        TextWriter? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var done = 0;
        var retries = 0;
        using var reporter = progress is null ? null : new Timer(_ =>
            progress.WriteLine($"  registered {Volatile.Read(ref done)}/{to - from} in {clock.Elapsed.TotalSeconds:0} s"),
            null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(from, to - from), options, async (i, token) =>
        {
            var id = $"{prefix}{i}";
            var body = new { url = target.Url($"/{id}"), intervalMs };
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var response = await api.PutAsJsonAsync($"/api/origins/{id}", body, token);
                    if (response.IsSuccessStatusCode) break;
                    if (attempt > 3 || (int)response.StatusCode < 500)
                        throw new InvalidOperationException($"PUT /api/origins/{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
                }
                catch (Exception ex) when (attempt <= 3 && !token.IsCancellationRequested && ex is HttpRequestException or TaskCanceledException)
                {
                    // a timeout or a dropped connection: retry below
                }
                Interlocked.Increment(ref retries);
                await Task.Delay(200 * attempt, token);
            }
            Interlocked.Increment(ref done);
        });
        return new Registration(to - from, clock.Elapsed.TotalSeconds, retries);
    }
}
