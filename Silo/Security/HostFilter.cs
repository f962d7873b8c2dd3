namespace Heck.Silo.Security;

/// <summary>
/// Refuses a request whose Host is not in <see cref="AllowedHosts"/> with 421 Misdirected Request: the request is
/// well formed, but addressed to a name this server does not answer for. Runs before authentication, so a rebound
/// browser learns nothing, not even whether a token would be needed.
/// </summary>
public sealed class HostFilter(RequestDelegate next, AllowedHosts hosts)
{
    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host;
        if (hosts.Allows(host.Host)) return next(context);
        return Results.Problem(statusCode: StatusCodes.Status421MisdirectedRequest,
            title: "This silo does not answer for that host name.",
            detail: $"Host: '{host.Host}' is not one of Heck:Http:AllowedHosts ({hosts}) nor an IP address; " +
                    "call the silo by its address, or add the name to Heck:Http:AllowedHosts.",
            type: "https://heck.dev/problems/host-not-allowed").ExecuteAsync(context);
    }
}
