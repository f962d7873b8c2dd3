using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Heck.Silo.Configuration;

namespace Heck.Silo.Security;

/// <summary>The API's TLS certificate from <c>Heck:Http:Certificate</c>: a PKCS#12 file or a PEM certificate and key.</summary>
public static class ApiCertificate
{
    /// <summary>The certificate with its private key; a file that does not load is a configuration error naming its key.</summary>
    public static X509Certificate2 Load(HeckOptions.CertificateSection c)
    {
        X509Certificate2 certificate;
        string key;
        try
        {
            if (c.Path is { } path)
            {
                key = "Heck:Http:Certificate:Path";
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, c.Password);
            }
            else
            {
                key = "Heck:Http:Certificate:PemPath";
                certificate = X509Certificate2.CreateFromPemFile(c.PemPath!, c.KeyPath);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            var which = c.Path is not null
                ? $"Heck:Http:Certificate:Path: cannot load '{c.Path}' as PKCS#12 (is Heck:Http:Certificate:Password right?)"
                : $"Heck:Http:Certificate:PemPath: cannot load '{c.PemPath}' with the key in Heck:Http:Certificate:KeyPath '{c.KeyPath}'";
            throw new HeckConfigurationException([$"{which}: {ex.Message}"]);
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new HeckConfigurationException([$"{key}: the certificate has no private key"]);
        }
        return certificate;
    }
}
