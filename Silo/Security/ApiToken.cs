namespace Heck.Silo.Security;

/// <summary>A configured token: its name (for logs), the scopes it holds (implied ones included) and the SHA-256 of its secret.</summary>
public sealed record ApiToken(string Name, IReadOnlySet<ApiScope> Scopes, byte[] Hash);
