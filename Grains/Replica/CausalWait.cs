using Heck.Replication;
using Microsoft.Extensions.Options;

namespace Heck.Grains.Replica;

/// <summary>
/// Holds a read back until this silo's replica covers the read's causal token, at most
/// <see cref="ReadOptions.CausalWaitMs"/>: it checks the token against the replica's version, and sleeps until
/// the replica's next change (<see cref="LocalReplica.Changed"/>) or the deadline, whichever comes first. The
/// HTTP API and the SDK's reader grain both wait through here.
/// </summary>
public sealed class CausalWait(LocalReplica replica, TimeProvider time, IOptions<ReadOptions> options)
{
    public TimeSpan MaxWait { get; } = TimeSpan.FromMilliseconds(options.Value.CausalWaitMs);

    public async Task<CausalWaitResult> UntilCoveredAsync(CausalToken token, CancellationToken ct = default)
    {
        if (token.IsEmpty) return CausalWaitResult.Immediate;
        var started = time.GetTimestamp();
        for (var slept = false; ; slept = true)
        {
            // Taken before the check: a change between the check and the sleep still wakes it.
            var changed = replica.Changed;
            var lacking = token.Lacking(replica.Version, replica.Departed);
            var waited = time.GetElapsedTime(started);
            // Covered at the first look: it did not wait, however long the look took.
            if (lacking.Count == 0) return slept ? new(true, WholeMs(waited), []) : CausalWaitResult.Immediate;
            var remaining = MaxWait - waited;
            if (remaining <= TimeSpan.Zero) return new(false, WholeMs(waited), lacking);
            try
            {
                await changed.WaitAsync(remaining, time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The deadline: the next pass reports what is still lacking.
            }
        }
    }

    private static long WholeMs(TimeSpan t) => (long)t.TotalMilliseconds;
}
