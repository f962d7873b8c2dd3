using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Heck.Harness;

/// <summary>
/// A silo as a child process (<c>dotnet Silo.dll</c> from the Silo project's build output), for
/// crash, hang and restart tests. Only this process is ever signalled, by its own id.
/// </summary>
public sealed partial class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    // Every silo this process started, killed when it exits, so that no failed test or
    // interrupted benchmark leaves silos running (each is killed by its own id).
    private static readonly List<Process> Started = [];

    static SiloProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Started)
                foreach (var p in Started)
                    try { if (!p.HasExited) p.Kill(); } catch (InvalidOperationException) { }
        };
    }

    public int HttpPort { get; }
    public HttpClient Http { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    /// <summary>The exit code once the process has exited; null while it runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    private SiloProcess(Process process, int httpPort, bool https)
    {
        _process = process;
        HttpPort = httpPort;
        // With a certificate the API is HTTPS only; the harness talks to its own silo on loopback, whose certificate
        // is made by the caller, so any is accepted here (tests that check the certificate use their own client).
        Http = https
            ? new HttpClient(new SocketsHttpHandler { UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
                { BaseAddress = new Uri($"https://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) }
            : new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Starts a silo with the given <c>--Heck:…</c> arguments and waits until <c>/healthz</c> answers. On a
    /// <paramref name="host"/> of a <see cref="LoopbackNetwork"/>, the process runs under the host's group id
    /// (through <c>setpriv</c>, which execs it: the id is the silo's own), and the caller advertises the host's address.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(int httpPort, IEnumerable<string> args, TimeSpan? within = null, LoopbackHost? host = null)
    {
        var silo = Launch(httpPort, args, host);
        await silo.WaitServingAsync(within ?? TimeSpan.FromSeconds(60));
        return silo;
    }

    /// <summary>Starts a silo without waiting for it to serve (see <see cref="WaitServingAsync"/>).</summary>
    public static SiloProcess Launch(int httpPort, IEnumerable<string> args, LoopbackHost? host = null)
    {
        var info = new ProcessStartInfo(host is null ? "dotnet" : EnsureSetpriv())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (host is not null)
        {
            foreach (var a in new[] { $"--regid={host.GroupId}", "--clear-groups", "--", "dotnet" }) info.ArgumentList.Add(a);
        }
        info.ArgumentList.Add(SiloDll());
        info.ArgumentList.Add($"--Heck:Http:Port={httpPort}");
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        lock (Started) Started.Add(process);
        var silo = new SiloProcess(process, httpPort, info.ArgumentList.Any(a => a.StartsWith("--Heck:Http:Certificate:", StringComparison.Ordinal)));
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits until <c>/healthz</c> answers; disposes the silo and throws if it exits or does not serve in time.</summary>
    public async Task WaitServingAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"silo exited with {_process.ExitCode} before serving:\n{Output}");
            try
            {
                using var r = await Http.GetAsync("/healthz");
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline)
            {
                await DisposeAsync();
                throw new TimeoutException($"silo did not serve /healthz in time:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The path of <c>setpriv</c> (util-linux), which runs a silo under a <see cref="LoopbackHost"/>'s group id; throws if missing.</summary>
    public static string EnsureSetpriv() =>
        new[] { "/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"setpriv (util-linux) is missing; it runs silos on their own loopback addresses: {Nft.Setup}.");

    /// <summary>Runs a silo that is expected to stop by itself (e.g. on bad configuration).</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IEnumerable<string> args, TimeSpan within)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        info.ArgumentList.Add(SiloDll());
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("silo did not exit: " + await stdout + await stderr);
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public void Kill() => Signal(9);   // SIGKILL: a crash, no goodbye
    public void Terminate() => Signal(15); // SIGTERM: graceful stop
    public void Pause() => Signal(19);     // SIGSTOP: a hang — alive to the OS, silent to the cluster
    public void Resume() => Signal(18);    // SIGCONT

    private void Signal(int signal)
    {
        if (!_process.HasExited && SysKill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public async Task WaitForExitAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            Signal(18); // resume first if paused, so nothing is left stopped
            Signal(9);
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    /// <summary>The Silo project's own build output, of the same configuration as this test assembly.</summary>
    public static string SiloDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent?.Name ?? "Debug"; // …/Tests/bin/<Configuration>/net10.0/
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HeckOrleans.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("cannot find the repository root from " + AppContext.BaseDirectory);
        var dll = Path.Combine(dir.FullName, "Silo", "bin", configuration, "net10.0", "Silo.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the Silo project first", dll);
    }
}
