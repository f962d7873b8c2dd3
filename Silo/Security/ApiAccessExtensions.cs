namespace Heck.Silo.Security;

/// <summary>How an endpoint declares who may call it: one of these on every endpoint.</summary>
public static class ApiAccessExtensions
{
    /// <summary>The call needs a token holding <paramref name="scope"/> (or a scope that implies it).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScope scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ApiScopes.PolicyName(scope)).WithMetadata(new ApiAccess(scope));

    /// <summary>Any caller, with or without a token: for what must answer before anyone authenticates (health checks).</summary>
    public static TBuilder AllowAnyCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().WithMetadata(ApiAccess.Anonymous);
}
