using Heck.Silo;
using Heck.Silo.Configuration;
using Microsoft.Extensions.Logging;

namespace Heck.Tests.Security;

/// <summary><c>Heck:Http:Certificate</c>: the API over HTTPS only, from a PKCS#12 file or a PEM pair.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class HttpsTests : IDisposable
{
    private readonly SelfSignedCertificate _certificate = new();

    public void Dispose() => _certificate.Dispose();

    [Theory]
    [InlineData("pfx")]
    [InlineData("pem")]
    public async Task The_API_answers_over_https_with_the_configured_certificate_and_not_over_plain_http(string form)
    {
        string[] args = form == "pfx"
            ? [$"--Heck:Http:Certificate:Path={_certificate.PfxPath}", $"--Heck:Http:Certificate:Password={SelfSignedCertificate.Password}"]
            : [$"--Heck:Http:Certificate:PemPath={_certificate.PemPath}", $"--Heck:Http:Certificate:KeyPath={_certificate.KeyPath}"];
        await using var silo = await InProcessSilo.StartAsync(extraArgs: [.. args, .. ApiClients.TokenArgs()]);

        using var https = ApiClients.Create($"https://127.0.0.1:{silo.HttpPort}", ApiClients.WriteToken, handler: _certificate.TrustingHandler());
        using var created = await https.PutAsJsonAsync("/api/origins/tls", new { url = "http://127.0.0.1:9/", intervalMs = 86_400_000 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var read = await https.GetAsync("/api/origins/tls");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        // A client that does not trust the certificate does not get through, and the port speaks no plain HTTP.
        using var untrusting = new HttpClient { BaseAddress = new Uri($"https://127.0.0.1:{silo.HttpPort}") };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync("/healthz"));
        using var plain = ApiClients.Create($"http://127.0.0.1:{silo.HttpPort}", ApiClients.WriteToken);
        try
        {
            using var answer = await plain.GetAsync("/api/origins/tls");
            Assert.False(answer.IsSuccessStatusCode, $"plain HTTP answered {answer.StatusCode}");
        }
        catch (HttpRequestException)
        {
            // The TLS listener closed the connection: as good as a refusal.
        }
    }

    [Fact]
    public void A_wrong_password_is_a_configuration_error_naming_the_key()
    {
        using var data = new TempDirectory();
        var error = Assert.Throws<HeckConfigurationException>(() => HeckHost.Build(
            [$"--Heck:Storage:Path={data.Path}", $"--Heck:Http:Certificate:Path={_certificate.PfxPath}", "--Heck:Http:Certificate:Password=wrong"],
            b => b.Logging.ClearProviders()));
        Assert.StartsWith("Heck:Http:Certificate:Path: cannot load", Assert.Single(error.Errors));
    }
}
