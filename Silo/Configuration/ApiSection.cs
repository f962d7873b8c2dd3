namespace Heck.Silo.Configuration;

/// <summary>
/// <c>Heck:Api</c>: the HTTP API's bearer tokens. With none, the API is open, which is allowed only while it listens
/// on a loopback address or <see cref="AllowAnonymous"/> says so.
/// </summary>
public sealed class ApiSection
{
    public List<ApiTokenSection> Tokens { get; set; } = [];
    /// <summary>Serve the API without tokens on a non-loopback address (a warning at every start).</summary>
    public bool AllowAnonymous { get; set; }
    /// <summary>Refused authentications a client address may make per window before it gets 429.</summary>
    public int FailedAuthLimit { get; set; } = 20;
    public int FailedAuthWindowSeconds { get; set; } = 60;
}

/// <summary>
/// <c>Heck:Api:Tokens:N</c>: one token. Exactly one of <see cref="Sha256"/> (the hex SHA-256 of the token, so the
/// secret is never in configuration) or <see cref="File"/> (a file holding the token, e.g. a Docker secret).
/// </summary>
public sealed class ApiTokenSection
{
    public string? Name { get; set; }
    /// <summary><c>read</c>, <c>write</c> or <c>admin</c>; admin implies write, which implies read.</summary>
    public List<string> Scopes { get; set; } = [];
    public string? Sha256 { get; set; }
    public string? File { get; set; }
}
