using System.Reflection;
using Heck.Cluster;
using Heck.Origins;
using Heck.Security;

namespace Heck.Silo.Security;

/// <summary>
/// When tokens are configured, a call from an Orleans client (the SDK, the CLI's gateway path) must carry one in its
/// request context (<see cref="ClientToken.RequestContextKey"/>) with the scope the method needs, as the HTTP API asks:
/// write for Configure/Remove, read for reads, admin for any other of Heck's grains. Calls from grains, and from the silo's own
/// hosted client (the HTTP API, which checked the caller already), pass. This guards the application's grains only;
/// the gateway itself is not authenticated (see docs/DESIGN.md).
/// </summary>
public sealed class ClientTokenGuard(ApiTokens tokens) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Orleans' own calls of a connecting client (its manifest, the gateway's system targets) are not the API's to guard.
        if (!FromExternalClient(context.SourceId) || !IsHecks(context.InterfaceMethod)) return context.Invoke();
        var needed = ScopeOf(context.InterfaceMethod);
        var presented = RequestContext.Get(ClientToken.RequestContextKey) as string;
        if (presented is null || tokens.Find(presented) is not { } token)
            throw new UnauthorizedAccessException("The cluster requires an API token: set HeckClientOptions.Token (heck --token, $HECK_TOKEN).");
        if (!token.Scopes.Contains(needed))
            throw new UnauthorizedAccessException($"Token '{token.Name}' does not hold the '{ApiScopes.Name(needed)}' scope this call needs.");
        return context.Invoke();
    }

    /// <summary>Orleans names the silo's own client <c>hosted-{silo}</c>; an external client has a random key.</summary>
    public static bool FromExternalClient(GrainId? source) =>
        source is { } id && id.Type.IsClient() && !id.Key.ToString()!.StartsWith("hosted-", StringComparison.Ordinal);

    private static bool IsHecks(MethodInfo? method) => method?.DeclaringType?.Namespace?.StartsWith("Heck.", StringComparison.Ordinal) == true;

    public static ApiScope ScopeOf(MethodInfo? method) => (method?.DeclaringType, method?.Name) switch
    {
        ({ } t, nameof(IOriginGrain.Configure) or nameof(IOriginGrain.ConfigureIf) or nameof(IOriginGrain.Remove) or nameof(IOriginGrain.RemoveIf))
            when t == typeof(IOriginGrain) => ApiScope.Write,
        ({ } t, nameof(IOriginGrain.Handoff)) when t == typeof(IOriginGrain) => ApiScope.Admin,
        ({ } t, _) when t == typeof(IOriginGrain) || t == typeof(IOriginReaderGrain) || t == typeof(IClusterReaderGrain) => ApiScope.Read,
        _ => ApiScope.Admin,
    };
}
