using Heck.Origins;

namespace Heck.Grains.Probing;

/// <summary>
/// The silo's prober: sends each origin to the prober of its kind, both connecting only where the
/// <see cref="NetworkPolicy"/> allows. Thread-safe; one per silo.
/// </summary>
public sealed class OriginProber(TimeProvider time, NetworkPolicy? policy = null, IProbeResolver? resolver = null) : IOriginProber, IDisposable
{
    private readonly HttpProber _http = new(time, policy, resolver);
    private readonly TcpProber _tcp = new(time, policy, resolver);

    public Task<ProbeResult> ProbeAsync(OriginSpec spec, CancellationToken cancellationToken) =>
        spec.Kind == OriginKind.Tcp
            ? _tcp.ProbeAsync(spec, cancellationToken)
            : _http.ProbeAsync(spec, cancellationToken);

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// The clock of one probe: its stopwatch, and a token cancelled at the spec's timeout or when the
/// caller cancels. Uses the injected <see cref="TimeProvider"/> for both, so tests control time.
/// </summary>
internal readonly struct ProbeDeadline : IDisposable
{
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenRegistration _caller;

    public ProbeDeadline(int timeoutMs, TimeProvider time, CancellationToken caller)
    {
        _time = time;
        _started = time.GetTimestamp();
        // Clamped: a malformed spec must yield a failed probe, not an exception.
        TimeoutMs = Math.Max(1, timeoutMs);
        _timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(TimeoutMs), time);
        // One registration instead of a linked source: the caller's token is usually never cancelled.
        _caller = caller.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timeout);
    }

    public int TimeoutMs { get; }

    public CancellationToken Token => _timeout.Token;

    public double ElapsedMs => _time.GetElapsedTime(_started).TotalMilliseconds;

    public ProbeResult Fail(string error, int? statusCode = null) => new(false, ElapsedMs, statusCode, error);

    /// <summary>
    /// The result for an <see cref="OperationCanceledException"/>: rethrown as the caller's
    /// cancellation when the caller cancelled, otherwise a timeout.
    /// </summary>
    public ProbeResult Cancelled(OperationCanceledException ex, CancellationToken caller)
    {
        caller.ThrowIfCancellationRequested();
        if (_timeout.IsCancellationRequested) return Fail($"timeout after {TimeoutMs} ms");
        // Not ours: e.g. the HTTP handler's own connect timeout.
        return Fail($"timeout: {(ex.InnerException ?? ex).Message}");
    }

    public void Dispose()
    {
        // Registration first: its Dispose waits for a running Cancel, which must not meet a disposed source.
        _caller.Dispose();
        _timeout.Dispose();
    }
}
