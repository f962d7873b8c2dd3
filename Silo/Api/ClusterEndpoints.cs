using Heck.Grains.Replica;

namespace Heck.Silo.Api;

public static class ClusterEndpoints
{
    public static void MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        // `self` says which member answered: every silo answers from its own view.
        app.MapGet("/api/cluster/members", async (MembershipReader members, Orleans.Runtime.ILocalSiloDetails silo) =>
            Results.Ok(new
            {
                self = new { address = $"{silo.SiloAddress.Endpoint.Address}:{silo.SiloAddress.Endpoint.Port}", generation = silo.SiloAddress.Generation },
                members = await members.ReadAsync(),
            }));
        app.MapGet("/api/cluster/replica", async (IGrainFactory grains, Orleans.Runtime.ILocalSiloDetails silo) =>
            Results.Ok(await ReplicaGrain.Of(grains, silo.SiloAddress).GetStats()));
        // Answered only once the host has started, and Orleans starts before the web server.
        app.MapGet("/healthz", () => Results.Text("ok"));
    }
}
