using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Heck.Benchmarks.Measurement;

/// <summary>
/// How a benchmark reaches the silo's API: plain HTTP or HTTPS (a certificate made on the spot), with or without a
/// bearer token, so the cost of each can be measured against the open, plain API.
/// </summary>
public sealed class ApiSecurity : IDisposable
{
    private ApiSecurity(string? token, SelfSignedCertificate? certificate)
    {
        Token = token;
        Certificate = certificate;
    }

    public string? Token { get; }
    public SelfSignedCertificate? Certificate { get; }
    public string Scheme => Certificate is null ? "http" : "https";

    public static ApiSecurity Create(bool token, bool https) =>
        new(token ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : null, https ? new SelfSignedCertificate() : null);

    /// <summary>The silo arguments: one write token (by its hash) and the certificate.</summary>
    public IEnumerable<string> SiloArgs()
    {
        if (Token is { } token)
        {
            yield return "--Heck:Api:Tokens:0:Name=bench";
            yield return "--Heck:Api:Tokens:0:Scopes:0=write";
            yield return $"--Heck:Api:Tokens:0:Sha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))}";
        }
        if (Certificate is not null)
            foreach (var a in Certificate.SiloArgs()) yield return a;
    }

    /// <summary>Trusts the certificate (only it) on <paramref name="handler"/>.</summary>
    public void Apply(SocketsHttpHandler handler)
    {
        if (Certificate is { } c)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == c.Certificate.GetCertHashString();
    }

    /// <summary>Sends the token on every request of <paramref name="client"/>.</summary>
    public void Apply(HttpClient client)
    {
        if (Token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public override string ToString() => (Certificate is null ? "http" : "https") + (Token is null ? "" : " + token");

    public void Dispose() => Certificate?.Dispose();
}
