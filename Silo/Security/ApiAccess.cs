namespace Heck.Silo.Security;

/// <summary>
/// Endpoint metadata: the scope a call needs, or none for an endpoint any caller may use (<c>/healthz</c>). Every
/// endpoint carries one (a test enumerates them), so an endpoint added without deciding who may call it is caught.
/// </summary>
public sealed record ApiAccess(ApiScope? Scope)
{
    public static ApiAccess Anonymous { get; } = new((ApiScope?)null);
}
