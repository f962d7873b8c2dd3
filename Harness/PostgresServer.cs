using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Heck.Harness;

/// <summary>
/// A throwaway PostgreSQL server: its own data directory in a temporary folder, loopback only, a
/// free TCP port, the unix socket inside the folder, trust authentication for the superuser
/// <c>heck</c>. When the caller runs as root (PostgreSQL refuses to), initdb and pg_ctl run as the
/// <c>postgres</c> system user and the folder is handed to that user. <see cref="DisposeAsync"/>
/// stops exactly the server this instance started and deletes the folder. Used by the ADO.NET
/// membership tests and by the <c>detect</c> benchmark; it needs no PostgreSQL client library
/// (callers that pool connections clear their pools before disposing it).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string Superuser = "heck";
    private const string RunAsUser = "postgres";

    private readonly PostgresBinaries _bin;
    private readonly string? _runAs;
    private int _postmasterPid;
    private int _disposed;

    public string Root { get; }
    public string DataDirectory => Path.Combine(Root, "data");
    public string SocketDirectory => Root;
    public string LogFile => Path.Combine(Root, "server.log");
    public int Port { get; private set; }
    public int PostmasterPid => _postmasterPid;
    public string Version => _bin.Version;

    private PostgresServer(PostgresBinaries bin, string root, string? runAs)
    {
        _bin = bin;
        Root = root;
        _runAs = runAs;
    }

    /// <summary>Connection string for <paramref name="database"/> over TCP on loopback.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database};Pooling=true;Timeout=15;Command Timeout=30";

    public static async Task<PostgresServer> StartAsync(CancellationToken ct)
    {
        var bin = PostgresBinaries.Find();
        var runAs = IsRoot() ? RunAsUser : null;
        var root = Path.Combine(Path.GetTempPath(), "heck-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var server = new PostgresServer(bin, root, runAs);
        try
        {
            await server.InitAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task InitAsync(CancellationToken ct)
    {
        if (_runAs is not null)
        {
            if (!UserExists(_runAs))
                throw new InvalidOperationException(
                    $"This process runs as root and PostgreSQL refuses to; it runs the server as the '{_runAs}' system user, which does not exist. " +
                    PostgresBinaries.InstallHint);
            await RunAsync("chown", ["-R", $"{_runAs}:", Root], asServerUser: false, TimeSpan.FromSeconds(30), ct);
        }

        await RunAsync(_bin.InitDb,
            ["-D", DataDirectory, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            asServerUser: true, TimeSpan.FromSeconds(120), ct);

        // A port can be taken between choosing and binding it; try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            var options = $"-p {Port} -k {SocketDirectory} -c listen_addresses=127.0.0.1 " +
                          "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
            var (code, output) = await RunAsync(_bin.PgCtl,
                ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options],
                asServerUser: true, TimeSpan.FromSeconds(90), ct, throwOnFailure: false);
            _postmasterPid = ReadPostmasterPid();
            if (code == 0 && _postmasterPid > 0) return;
            await StopServerAsync();
            if (attempt == 3)
                throw new InvalidOperationException(
                    $"pg_ctl start failed (exit {code}): {output.Trim()}{Environment.NewLine}server log:{Environment.NewLine}{LogTail()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopServerAsync();
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>pg_ctl stop for our data directory; if the postmaster we started is still there, kill it (and only it).</summary>
    private async Task StopServerAsync()
    {
        var pid = _postmasterPid != 0 ? _postmasterPid : ReadPostmasterPid();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunAsync(_bin.PgCtl, ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"],
                    asServerUser: true, TimeSpan.FromSeconds(45), CancellationToken.None, throwOnFailure: false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception) { }
        }
        if (pid > 0 && IsOurPostmaster(pid))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(wait.Token);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception) { }
        }
        _postmasterPid = 0;
    }

    /// <summary>True when <paramref name="pid"/> is a postgres process serving our data directory (guards against pid reuse).</summary>
    private bool IsOurPostmaster(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return cmdline.Contains(DataDirectory, StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public bool IsRunning => _postmasterPid > 0 && IsOurPostmaster(_postmasterPid);

    private int ReadPostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, out var pid) ? pid : 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }

    public string LogTail(int lines = 40)
    {
        try
        {
            return File.Exists(LogFile) ? string.Join(Environment.NewLine, File.ReadLines(LogFile).TakeLast(lines)) : "(no log)";
        }
        catch (IOException ex) { return $"(log unreadable: {ex.Message})"; }
        catch (UnauthorizedAccessException ex) { return $"(log unreadable: {ex.Message})"; }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> args, bool asServerUser,
        TimeSpan timeout, CancellationToken ct, bool throwOnFailure = true)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        if (asServerUser && _runAs is not null)
        {
            psi.FileName = RunUserProgram();
            if (Path.GetFileName(psi.FileName) == "runuser")
            {
                psi.ArgumentList.Add("-u");
                psi.ArgumentList.Add(_runAs);
                psi.ArgumentList.Add("--");
            }
            else
            {
                psi.ArgumentList.Add($"--reuid={_runAs}");
                psi.ArgumentList.Add($"--regid={_runAs}");
                psi.ArgumentList.Add("--init-groups");
                psi.ArgumentList.Add("--");
            }
            psi.ArgumentList.Add(program);
        }
        else
        {
            psi.FileName = program;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Nothing from the caller's environment may redirect the server programs elsewhere.
        foreach (var name in new[] { "PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGDATABASE", "PGOPTIONS" })
            psi.Environment.Remove(name);
        psi.Environment["LC_ALL"] = "C";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {program}");
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{Describe(psi)} did not finish within {timeout.TotalSeconds:0} s. Output: {output}");
        }
        catch (TimeoutException) { /* output pipes held open by a grandchild; the exit code is what counts */ }

        string text;
        lock (output) text = output.ToString();
        if (throwOnFailure && process.ExitCode != 0)
            throw new InvalidOperationException($"{Describe(psi)} failed (exit {process.ExitCode}): {text.Trim()}");
        return (process.ExitCode, text);
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null)
            lock (sink) sink.AppendLine(line);
    }

    private static string Describe(ProcessStartInfo psi) => psi.FileName + " " + string.Join(' ', psi.ArgumentList);

    private static string RunUserProgram()
    {
        foreach (var candidate in new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/usr/bin/setpriv", "/bin/setpriv" })
            if (File.Exists(candidate)) return candidate;
        throw new InvalidOperationException("Running as root, but neither runuser nor setpriv (util-linux) is available to drop to the postgres user.");
    }

    private static bool UserExists(string name) =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(l => l.StartsWith(name + ":", StringComparison.Ordinal));

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    private static bool IsRoot() => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;

}
