using Heck.Grains.Replica;

namespace Heck.Silo.Api;

public static class ClusterEndpoints
{
    public static void MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster/members", async (MembershipReader members) =>
            Results.Ok(new { members = await members.ReadAsync() }));
        app.MapGet("/api/cluster/replica", async (IGrainFactory grains, Orleans.Runtime.ILocalSiloDetails silo) =>
            Results.Ok(await ReplicaGrain.Of(grains, silo.SiloAddress).GetStats()));
        // Answered only once the host has started, and Orleans starts before the web server.
        app.MapGet("/healthz", () => Results.Text("ok"));
    }
}
