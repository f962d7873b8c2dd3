using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Heck.Replication;

namespace Heck.Grains.Metrics;

/// <summary>
/// What this silo's replica sends and receives by gossip, and how far behind its peers it was when it last heard
/// from each: counts bumped by the replica service, read by <c>GetStats</c> and, as observable instruments, by
/// whatever collects the <c>Heck</c> meter.
/// </summary>
public sealed class ReplicaMetrics
{
    /// <summary>A peer not heard from for this long no longer counts towards the lag (it left, or is quiet).</summary>
    public static readonly TimeSpan LagWindow = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ReplicaId, (long Dots, long AtMs)> _lag = new();
    private long _bytesSent, _deltasSent, _deltasReceived, _refused;

    public ReplicaMetrics(HeckMeter meter, TimeProvider time)
    {
        _time = time;
        var m = meter.Meter;
        m.CreateObservableCounter("gossip_bytes_sent_total", () => BytesSent, "By", "Bytes of gossip (deltas and versions) this replica sent");
        m.CreateObservableCounter("gossip_messages_total", () => (IEnumerable<Measurement<long>>)
        [
            new(DeltasSent, new KeyValuePair<string, object?>("direction", "sent")),
            new(DeltasReceived, new KeyValuePair<string, object?>("direction", "received")),
        ], description: "Gossip deltas this replica sent and received");
        m.CreateObservableCounter("gossip_refused_total", () => Refused, description: "Gossip refused because membership had the sender dead");
        m.CreateObservableGauge("replica_lag_dots", () => LagDots,
            description: "Most writes a peer held that this replica lacked when it last heard from that peer (within a minute)");
    }

    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long DeltasSent => Interlocked.Read(ref _deltasSent);
    public long DeltasReceived => Interlocked.Read(ref _deltasReceived);
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The largest lag behind a peer heard from within <see cref="LagWindow"/>.</summary>
    public long LagDots
    {
        get
        {
            var since = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)LagWindow.TotalMilliseconds;
            long max = 0;
            foreach (var (_, (dots, at)) in _lag)
                if (at >= since && dots > max) max = dots;
            return max;
        }
    }

    public void Sent(int bytes) => Interlocked.Add(ref _bytesSent, bytes);
    public void DeltaSent() => Interlocked.Increment(ref _deltasSent);
    public void DeltaReceived() => Interlocked.Increment(ref _deltasReceived);
    public void RefusedOne() => Interlocked.Increment(ref _refused);

    /// <summary>A peer said what it holds; <paramref name="mine"/> is this replica's version before merging what came with it.</summary>
    public void Heard(ReplicaId peer, VersionVector mine, VersionVector theirs) =>
        _lag[peer] = (ReplicaLag.DotsBehind(mine, theirs), _time.GetUtcNow().ToUnixTimeMilliseconds());
}
