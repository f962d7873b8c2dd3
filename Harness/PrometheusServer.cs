using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Heck.Harness;

/// <summary>
/// A throwaway Prometheus server (the machine's <c>prometheus</c> binary, installed by <c>.ci/prometheus.sh</c>):
/// its own folder with a generated scrape config and TSDB, loopback only, a free port. It scrapes
/// <c>/metrics</c> of the given targets every <see cref="ScrapeInterval"/>. <see cref="DisposeAsync"/> kills exactly
/// the process this instance started (by its id) and deletes the folder.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string InstallHint = "Install it with `bash .ci/prometheus.sh` (Debian's `prometheus` package), or set HECK_PROMETHEUS_BIN to the binary.";
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(1);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    public string Root { get; }
    public int Port { get; }
    public HttpClient Http { get; }
    public int Pid => _process.Id;

    private PrometheusServer(Process process, string root, int port)
    {
        _process = process;
        Root = root;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Prometheus' own log so far (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The binary: <c>HECK_PROMETHEUS_BIN</c>, else <c>prometheus</c> on the PATH; throws with <see cref="InstallHint"/>.</summary>
    public static string FindBinary()
    {
        if (Environment.GetEnvironmentVariable("HECK_PROMETHEUS_BIN") is { Length: > 0 } bin && File.Exists(bin)) return bin;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "prometheus");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("The prometheus binary was not found. " + InstallHint);
    }

    /// <summary>The scrape config: one job of <paramref name="targets"/> (<c>host:port</c>), scraped every second.</summary>
    public static string ScrapeConfig(IEnumerable<string> targets)
    {
        var seconds = ((int)ScrapeInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var config = new StringBuilder()
            .AppendLine("global:")
            .AppendLine($"  scrape_interval: {seconds}s")
            .AppendLine($"  scrape_timeout: {seconds}s")
            .AppendLine($"  evaluation_interval: {seconds}s")
            .AppendLine("scrape_configs:")
            .AppendLine("  - job_name: heck")
            .AppendLine("    metrics_path: /metrics")
            .AppendLine("    static_configs:")
            .AppendLine("      - targets:");
        foreach (var target in targets) config.AppendLine($"          - '{target}'");
        return config.ToString();
    }

    /// <summary>Starts a server scraping <paramref name="targets"/> and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(IEnumerable<string> targets, CancellationToken ct)
    {
        var bin = FindBinary();
        var root = Directory.CreateTempSubdirectory("heck-prometheus-").FullName;
        File.WriteAllText(Path.Combine(root, "prometheus.yml"), ScrapeConfig(targets));
        var port = FreePort.Next();
        var info = new ProcessStartInfo(bin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var arg in new[]
                 {
                     $"--config.file={Path.Combine(root, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(root, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h",
                 })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {bin}");
        var server = new PrometheusServer(process, root, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
            if (_output.Length < 200_000) _output.AppendLine(line);
    }

    private async Task WaitReadyAsync(TimeSpan within, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:{Environment.NewLine}{Output}");
            try
            {
                using var response = await Http.GetAsync("/-/ready", ct);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"prometheus was not ready within {within}:{Environment.NewLine}{Output}");
    }

    /// <summary>One instant-vector sample of a query: its labels and value.</summary>
    public sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>Runs <paramref name="promql"/> through <c>/api/v1/query</c> (now) and returns its vector result.</summary>
    public async Task<IReadOnlyList<Sample>> QueryAsync(string promql, CancellationToken ct = default)
    {
        var body = await Http.GetFromJsonAsync<JsonElement>("/api/v1/query?query=" + Uri.EscapeDataString(promql), ct);
        if (body.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException($"query {promql} failed: {body}");
        var data = body.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "vector")
            throw new InvalidOperationException($"query {promql} is not an instant vector: {data}");
        return [.. data.GetProperty("result").EnumerateArray().Select(r => new Sample(
            r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>The health of each scrape target (<c>up</c>, <c>down</c>, <c>unknown</c>) by its address.</summary>
    public async Task<IReadOnlyDictionary<string, string>> TargetHealthAsync(CancellationToken ct = default)
    {
        var body = await Http.GetFromJsonAsync<JsonElement>("/api/v1/targets", ct);
        return body.GetProperty("data").GetProperty("activeTargets").EnumerateArray().ToDictionary(
            t => t.GetProperty("labels").GetProperty("instance").GetString()!,
            t => t.GetProperty("health").GetString()! + (t.TryGetProperty("lastError", out var e) && e.GetString() is { Length: > 0 } error ? ": " + error : ""));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception) { }
        _process.Dispose();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
