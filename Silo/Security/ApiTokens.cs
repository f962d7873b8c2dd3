using System.Security.Cryptography;
using System.Text;
using Heck.Silo.Configuration;

namespace Heck.Silo.Security;

/// <summary>
/// The tokens the API accepts. Only hashes are kept; a presented token is hashed and compared with every one in
/// constant time, so neither a match's position nor a common prefix shows in the time taken.
/// </summary>
public sealed class ApiTokens(IReadOnlyList<ApiToken> tokens)
{
    public IReadOnlyList<ApiToken> All { get; } = tokens;

    /// <summary>No token is configured: the API is open (allowed only on loopback or with AllowAnonymous).</summary>
    public bool Open => All.Count == 0;

    /// <summary>The token whose secret is <paramref name="presented"/>; null when none is.</summary>
    public ApiToken? Find(string presented)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        ApiToken? found = null;
        // Every token is compared, not only until a match.
        foreach (var token in All)
            if (CryptographicOperations.FixedTimeEquals(hash, token.Hash)) found ??= token;
        return found;
    }

    /// <summary>
    /// The tokens of <paramref name="api"/> (already validated), each <c>File</c> read through <paramref name="readFile"/>,
    /// trimmed and hashed. A file that cannot be read or is empty is a configuration error naming its key.
    /// </summary>
    public static ApiTokens Load(ApiSection api, Func<string, string> readFile)
    {
        var tokens = new List<ApiToken>();
        var errors = new List<string>();
        for (var i = 0; i < api.Tokens.Count; i++)
        {
            var t = api.Tokens[i];
            var scopes = t.Scopes.Select(s => ApiScopes.TryParse(s, out var scope) ? scope : ApiScope.Read)
                .SelectMany(ApiScopes.Implied).ToHashSet();
            byte[] hash;
            if (t.Sha256 is { } hex) hash = Convert.FromHexString(hex.Trim());
            else
            {
                var key = $"Heck:Api:Tokens:{i}:File";
                string secret;
                try
                {
                    secret = readFile(t.File!).Trim();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    errors.Add($"{key}: cannot read '{t.File}': {ex.Message}");
                    continue;
                }
                if (secret.Length == 0)
                {
                    errors.Add($"{key}: '{t.File}' is empty");
                    continue;
                }
                hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
            }
            tokens.Add(new ApiToken(t.Name!, scopes, hash));
        }
        if (errors.Count > 0) throw new HeckConfigurationException(errors);
        return new ApiTokens(tokens);
    }

    /// <summary>The hex SHA-256 of <paramref name="token"/>, as <c>Heck:Api:Tokens:N:Sha256</c> takes it.</summary>
    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
