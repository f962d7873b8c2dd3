namespace Heck.Silo.Security;

/// <summary>What a token may do with the HTTP API. Each scope implies those below it: admin, then write, then read.</summary>
public enum ApiScope
{
    /// <summary>Reads: origins, transitions, watch, cluster state, the origins file.</summary>
    Read,
    /// <summary>Changes to origins (PUT, PATCH, DELETE).</summary>
    Write,
    /// <summary>Operations on the cluster itself.</summary>
    Admin,
}
