using Heck.Origins;

namespace Heck.Grains.Probing;

/// <summary>The outcome of one probe, judged against the origin's expectations.</summary>
/// <param name="Success">Whether the origin answered as its spec expects.</param>
/// <param name="LatencyMs">Time until the verdict: response headers, body check, or TCP connect.</param>
/// <param name="StatusCode">The HTTP status, when a response arrived.</param>
/// <param name="Error">Why the probe failed, short enough for a status page; null on success.</param>
public sealed record ProbeResult(bool Success, double LatencyMs, int? StatusCode, string? Error);

/// <summary>Probes one origin once.</summary>
public interface IOriginProber
{
    /// <summary>
    /// Runs one probe within <see cref="OriginSpec.TimeoutMs"/>. Every failure of the origin is a
    /// result with <see cref="ProbeResult.Success"/> false; the only exception is
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task<ProbeResult> ProbeAsync(OriginSpec spec, CancellationToken cancellationToken);
}
