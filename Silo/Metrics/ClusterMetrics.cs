using System.Diagnostics.Metrics;
using System.Reflection;
using Heck.Grains.Metrics;
using Heck.Grains.Origins;
using Heck.Grains.Replica;
using Heck.Membership.Orleans;
using Heck.Membership.Swim;
using Heck.Membership.Wire;

namespace Heck.Silo.Metrics;

/// <summary>
/// This silo's cluster series on the <c>Heck</c> meter: SWIM members by status, the suspicions and refutations
/// this silo saw, SWIM traffic and drops, origins owned and registered, and <c>heck_build_info</c>. All observable
/// (read at collection) but the two SWIM event counts, which a status change bumps.
/// </summary>
public sealed class ClusterMetrics
{
    private long _suspicions, _refutations;

    public ClusterMetrics(HeckMeter meter, LocalOrigins local, LocalReplica replica, SwimMembership? swim = null)
    {
        var m = meter.Meter;
        var version = Version(typeof(ClusterMetrics).Assembly);
        m.CreateObservableGauge("build_info", () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", version)),
            description: "Always 1; the version label says which build this silo runs");
        m.CreateObservableGauge("origins_owned", () => local.Count, description: "Origins this silo owns and probes");
        m.CreateObservableGauge("origins_registered", () => replica.Count, description: "Origins in this silo's replica of the registry");
        if (swim is null) return;

        swim.MembershipChanged += Count;
        m.CreateObservableGauge("swim_members", () => Members(swim.View), description: "Members of this silo's SWIM view, by status");
        m.CreateObservableCounter("swim_suspicions_total", () => Interlocked.Read(ref _suspicions),
            description: "Members this silo saw become suspect");
        m.CreateObservableCounter("swim_refutations_total", () => Interlocked.Read(ref _refutations),
            description: "Suspect members this silo saw alive again (the suspicion refuted)");
        m.CreateObservableCounter("swim_packets_total", () => Traffic(swim.Counters, bytes: false),
            description: "SWIM UDP datagrams this silo sent and received");
        m.CreateObservableCounter("swim_bytes_total", () => Traffic(swim.Counters, bytes: true), "By",
            "SWIM bytes this silo sent and received, by transport");
        m.CreateObservableCounter("swim_dropped_total", () => Drops(swim.Counters),
            description: "SWIM packets this silo dropped, by reason");
    }

    /// <summary>The build's informational version (with the commit when the SDK stamped it), else its assembly version.</summary>
    internal static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    private void Count(MemberStatusChanged change)
    {
        if (change.New == MemberStatus.Suspect && change.Old != MemberStatus.Suspect) Interlocked.Increment(ref _suspicions);
        else if (change.Old == MemberStatus.Suspect && change.New == MemberStatus.Alive) Interlocked.Increment(ref _refutations);
    }

    /// <summary>Every status with its count (zero included, so a series does not vanish when the last suspect clears).</summary>
    internal static IEnumerable<Measurement<int>> Members(SwimView? view)
    {
        if (view is null) yield break;
        foreach (var status in Enum.GetValues<MemberStatus>())
            yield return new Measurement<int>(view.Members.Count(x => x.Status == status),
                new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));
    }

    private static IEnumerable<Measurement<long>> Traffic(WireCounters? counters, bool bytes)
    {
        if (counters is null) yield break;
        var sent = new KeyValuePair<string, object?>("direction", "sent");
        var received = new KeyValuePair<string, object?>("direction", "received");
        if (!bytes)
        {
            yield return new(counters.UdpPacketsSent, sent);
            yield return new(counters.UdpPacketsReceived, received);
            yield break;
        }
        var udp = new KeyValuePair<string, object?>("transport", "udp");
        var tcp = new KeyValuePair<string, object?>("transport", "tcp");
        yield return new(counters.UdpBytesSent, sent, udp);
        yield return new(counters.UdpBytesReceived, received, udp);
        yield return new(counters.TcpBytesSent, sent, tcp);
        yield return new(counters.TcpBytesReceived, received, tcp);
    }

    private static IEnumerable<Measurement<long>> Drops(WireCounters? counters)
    {
        if (counters is null) yield break;
        foreach (var reason in Enum.GetValues<DropReason>().Where(r => r != DropReason.None))
            yield return new(counters.Dropped(reason), new KeyValuePair<string, object?>("reason", reason.ToString().ToLowerInvariant()));
    }
}
