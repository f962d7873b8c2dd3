using System.Net.Sockets;
using System.Text;
using Heck.Grains.Probing;

namespace Heck.Tests.Probing;

/// <summary>
/// A minimal HTTP/1.1 origin on 127.0.0.1 that counts the connections it accepted, keeps every
/// accepted connection serving (keep-alive unless the request says close) and can stop listening
/// while those connections stay open: what a restarted or rotated backend looks like to a pool.
/// </summary>
internal sealed class CountingOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _accepted;

    public CountingOrigin()
    {
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/health";
        _accepting = AcceptAsync();
    }

    public string Url { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Stops accepting; connections already open keep serving.</summary>
    public void StopListening() => _listener.Stop();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; } // stopped
            Interlocked.Increment(ref _accepted);
            lock (_connections) _connections.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[8192];
        var pending = new StringBuilder();
        try
        {
            for (var requests = 0; requests < 1000; requests++) // bounded: a test sends a handful
            {
                string head;
                while (true)
                {
                    var text = pending.ToString();
                    var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (end >= 0)
                    {
                        head = text[..end];
                        pending.Remove(0, end + 4);
                        break;
                    }
                    var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (read == 0) return;
                    pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                var close = head.Contains("Connection: close", StringComparison.OrdinalIgnoreCase);
                var response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + (close ? "Connection: close\r\n" : "") + "\r\nok";
                await socket.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None, _stop.Token);
                if (close) return;
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested) { }
        catch (SocketException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] open;
        lock (_connections) open = [.. _connections];
        await Task.WhenAll(open);
    }
}

public sealed class ConnectionPerProbeTests
{
    private static OriginSpec Spec(string url, bool? reuse = null) =>
        OriginValidator.Validate("conn", new OriginInput { Url = url, TimeoutMs = 2000, IntervalMs = 5000, ReuseConnection = reuse }, out var spec).Count == 0
            ? spec! : throw new ArgumentException("bad spec");

    [Fact]
    public async Task Each_probe_opens_a_new_connection_by_default()
    {
        await using var origin = new CountingOrigin();
        using var prober = new HttpProber(TimeProvider.System);
        var spec = Spec(origin.Url);
        for (var i = 0; i < 3; i++) Assert.True((await prober.ProbeAsync(spec, default)).Success);
        Assert.Equal(3, origin.Accepted);
    }

    [Fact]
    public async Task With_reuseConnection_probes_share_a_keep_alive_connection()
    {
        await using var origin = new CountingOrigin();
        using var prober = new HttpProber(TimeProvider.System);
        var spec = Spec(origin.Url, reuse: true);
        for (var i = 0; i < 3; i++) Assert.True((await prober.ProbeAsync(spec, default)).Success);
        Assert.Equal(1, origin.Accepted);
    }

    [Fact]
    public async Task A_target_that_stopped_listening_is_down_at_the_next_probe()
    {
        await using var origin = new CountingOrigin();
        using var prober = new HttpProber(TimeProvider.System);
        var spec = Spec(origin.Url);
        Assert.True((await prober.ProbeAsync(spec, default)).Success);

        origin.StopListening();
        var next = await prober.ProbeAsync(spec, default);
        Assert.False(next.Success, "a pooled connection still answered for a target that no longer accepts");
        Assert.Contains("connection", next.Error);
    }

    [Fact]
    public async Task With_reuseConnection_a_pooled_connection_outlives_the_listener()
    {
        // The opt-in's documented cost: what load-balancer style probing exists to catch.
        await using var origin = new CountingOrigin();
        using var prober = new HttpProber(TimeProvider.System);
        var spec = Spec(origin.Url, reuse: true);
        Assert.True((await prober.ProbeAsync(spec, default)).Success);
        origin.StopListening();
        Assert.True((await prober.ProbeAsync(spec, default)).Success);
    }
}
