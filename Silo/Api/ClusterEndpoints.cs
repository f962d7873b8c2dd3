using Heck.Grains.Replica;

namespace Heck.Silo.Api;

public static class ClusterEndpoints
{
    public static void MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster/members", async (MembershipReader members) =>
            Results.Ok(new { members = await members.ReadAsync() }));
        // Answered only once the host has started, and Orleans starts before the web server.
        app.MapGet("/healthz", () => Results.Text("ok"));
    }
}
