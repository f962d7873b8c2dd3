using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Heck.Harness;

/// <summary>
/// A self-signed server certificate for 127.0.0.1 and localhost, made on the spot, and the files a silo takes it from
/// (<c>Heck:Http:Certificate:Path</c> with <see cref="Password"/>, or <c>PemPath</c> and <c>KeyPath</c>).
/// </summary>
public sealed class SelfSignedCertificate : IDisposable
{
    private readonly TempDirectory _dir = new();

    public X509Certificate2 Certificate { get; }
    public string PfxPath => Path.Combine(_dir.Path, "api.pfx");
    public string PemPath => Path.Combine(_dir.Path, "api.pem");
    public string KeyPath => Path.Combine(_dir.Path, "api.key");
    public const string Password = "test-password";

    public SelfSignedCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=heck-test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server auth
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        File.WriteAllBytes(PfxPath, Certificate.Export(X509ContentType.Pkcs12, Password));
        File.WriteAllText(PemPath, Certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, rsa.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A handler that trusts this certificate alone (as a client with it in its trust store would).</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        UseProxy = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString() },
    };

    /// <summary>The silo arguments serving the API over HTTPS with this certificate.</summary>
    public string[] SiloArgs() => [$"--Heck:Http:Certificate:Path={PfxPath}", $"--Heck:Http:Certificate:Password={Password}"];

    public void Dispose()
    {
        Certificate.Dispose();
        _dir.Dispose();
    }
}
