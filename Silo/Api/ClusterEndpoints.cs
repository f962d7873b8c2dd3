using System.Text.Json;
using Heck.Grains.Cluster;
using Heck.Grains.Replica;
using Heck.Membership.Orleans;
using Heck.Silo.Cluster;
using Heck.Silo.Security;

namespace Heck.Silo.Api;

public static class ClusterEndpoints
{
    public static void MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        // `self` says which member answered: every silo answers from its own view. `transport` (SWIM only)
        // is this silo's SWIM traffic since it started.
        app.MapGet("/api/cluster/members", async (MembershipReader members, Orleans.Runtime.ILocalSiloDetails silo, IServiceProvider services) =>
            Results.Ok(new
            {
                self = new { address = silo.SiloAddress.Label(), generation = silo.SiloAddress.Generation },
                members = await members.ReadAsync(),
                transport = Transport(services.GetService<SwimMembership>()),
            })).RequireScope(ApiScope.Read);
        app.MapGet("/api/cluster/replica", async (IReplicaServiceClient replicas, Orleans.Runtime.ILocalSiloDetails silo) =>
            Results.Ok(await replicas.Of(silo.SiloAddress).GetStats())).RequireScope(ApiScope.Read);
        // What this silo has sent since it started: Orleans messages (to other silos and clients, and
        // to its own grains), gossip deltas and SWIM packets. Benchmarks sum before/after deltas over
        // every silo to get messages per operation.
        app.MapGet("/api/cluster/traffic", async (MessageTraffic traffic, IReplicaServiceClient replicas, Orleans.Runtime.ILocalSiloDetails silo, IServiceProvider services) =>
        {
            var orleans = traffic.Read();
            var gossip = await replicas.Of(silo.SiloAddress).GetStats();
            var swim = services.GetService<SwimMembership>()?.Counters?.Snapshot();
            return Results.Ok(new
            {
                self = new { address = silo.SiloAddress.Label(), generation = silo.SiloAddress.Generation },
                orleans = new { orleans.MessagesSent, orleans.BytesSent, orleans.LocalMessagesSent },
                gossip = new { gossip.DeltasSent, gossip.BytesSent },
                swim = swim is { } c ? new { PacketsSent = c.UdpPacketsSent, BytesSent = c.UdpBytesSent + c.TcpBytesSent } : null,
            });
        }).RequireScope(ApiScope.Read);
        // Answered only once the host has started, and Orleans starts before the web server. Any caller: a load
        // balancer or Docker's HEALTHCHECK holds no token, and "ok" tells nothing.
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnyCaller();
    }

    /// <summary>The SWIM agent's counters; null (so left out) when membership is not SWIM or not started yet.</summary>
    private static object? Transport(SwimMembership? swim) =>
        swim?.Counters?.Snapshot() is { } c
            ? new
            {
                c.UdpPacketsSent, c.UdpBytesSent, c.UdpPacketsReceived, c.UdpBytesReceived, c.TcpBytesSent, c.TcpBytesReceived, c.Accepted,
                Dropped = c.Dropped.ToDictionary(d => JsonNamingPolicy.CamelCase.ConvertName(d.Key.ToString()), d => d.Value),
            }
            : null;
}
