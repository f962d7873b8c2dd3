using System.Net;
using System.Text.RegularExpressions;
using Heck.Silo.Configuration;

namespace Heck.Silo.Security;

/// <summary>
/// Checks <c>Heck:Api</c>, <c>Heck:Http:AllowedHosts</c> and <c>Heck:Http:Certificate</c>, and the open-API rule:
/// without tokens the API may listen only on a loopback address unless <c>Heck:Api:AllowAnonymous</c> is true.
/// Token files are read at start (<see cref="ApiTokens.Load"/>), not here: a Docker secret exists only in the container.
/// </summary>
public static partial class SecurityOptionsValidator
{
    [GeneratedRegex(@"\A[0-9A-Fa-f]{64}\z")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex(@"\A[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex NamePattern();

    public static IEnumerable<string> Check(HeckOptions o)
    {
        var api = o.Api;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < api.Tokens.Count; i++)
        {
            var t = api.Tokens[i];
            var key = $"Heck:Api:Tokens:{i}";
            if (t is null)
            {
                yield return $"{key}: must have a Name, Scopes and one of Sha256 or File";
                continue;
            }
            if (t.Name is null || !NamePattern().IsMatch(t.Name)) yield return $"{key}:Name: must match ^[A-Za-z0-9._-]{{1,64}}$ (was '{t.Name}')";
            else if (!names.Add(t.Name)) yield return $"{key}:Name: '{t.Name}' names another token too";
            if (t.Scopes.Count == 0) yield return $"{key}:Scopes: must list at least one of read, write, admin";
            for (var j = 0; j < t.Scopes.Count; j++)
                if (!ApiScopes.TryParse(t.Scopes[j], out _)) yield return $"{key}:Scopes:{j}: must be read, write or admin (was '{t.Scopes[j]}')";
            var hasHash = !string.IsNullOrWhiteSpace(t.Sha256);
            var hasFile = !string.IsNullOrWhiteSpace(t.File);
            if (hasHash == hasFile) yield return $"{key}: must have exactly one of Sha256 (the token's hex SHA-256) or File (a file holding the token)";
            else if (hasHash && !Sha256Pattern().IsMatch(t.Sha256!.Trim())) yield return $"{key}:Sha256: must be 64 hex digits (the SHA-256 of the token, e.g. from sha256sum)";
        }
        var listen = IPAddress.TryParse(o.Http.ListenAddress, out var address) ? address : null;
        if (api.Tokens.Count == 0 && !api.AllowAnonymous && listen is not null && !IPAddress.IsLoopback(listen))
            yield return $"Heck:Api:Tokens: the API listens on {o.Http.ListenAddress}, not a loopback address, and no token is configured: " +
                         "configure Heck:Api:Tokens (see docs/api.md) or set Heck:Api:AllowAnonymous=true to serve it to anyone who reaches it";
        if (api.Tokens.Count > 0 && api.AllowAnonymous)
            yield return "Heck:Api:AllowAnonymous: must not be true while Heck:Api:Tokens are configured (every call then needs a token)";
        if (api.FailedAuthLimit is < 1 or > 1_000_000)
            yield return $"Heck:Api:FailedAuthLimit: must be between 1 and 1000000 (was {api.FailedAuthLimit})";
        if (api.FailedAuthWindowSeconds is < 1 or > 86_400)
            yield return $"Heck:Api:FailedAuthWindowSeconds: must be between 1 and 86400 (was {api.FailedAuthWindowSeconds})";

        if (o.Http.AllowedHosts is { } hosts)
        {
            for (var i = 0; i < hosts.Count; i++)
                if (hosts[i] != "*" && Uri.CheckHostName(hosts[i]?.Trim()) == UriHostNameType.Unknown)
                    yield return $"Heck:Http:AllowedHosts:{i}: must be a host name, an IP address or * (was '{hosts[i]}')";
        }

        var c = o.Http.Certificate;
        if (c.IsSet)
        {
            if (c.Path is not null && (c.PemPath is not null || c.KeyPath is not null))
                yield return "Heck:Http:Certificate: give either Path (PKCS#12) or PemPath and KeyPath, not both";
            else if (c.Path is null && (c.PemPath is null || c.KeyPath is null))
                yield return $"Heck:Http:Certificate:{(c.PemPath is null ? "PemPath" : "KeyPath")}: is required with {(c.PemPath is null ? "KeyPath" : "PemPath")}";
            if (c.Password is not null && c.Path is null) yield return "Heck:Http:Certificate:Password: is only for Path (a PKCS#12 file)";
            foreach (var (name, path) in new[] { ("Path", c.Path), ("PemPath", c.PemPath), ("KeyPath", c.KeyPath) })
                if (path is not null && !File.Exists(path))
                    yield return $"Heck:Http:Certificate:{name}: names a file that does not exist ('{(path.Length == 0 ? path : Path.GetFullPath(path))}')";
        }
    }
}
