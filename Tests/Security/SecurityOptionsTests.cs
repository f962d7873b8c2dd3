using Heck.Silo.Configuration;
using Heck.Silo.Security;
using Microsoft.Extensions.Configuration;

namespace Heck.Tests.Security;

/// <summary><c>Heck:Api</c>, <c>Heck:Http:AllowedHosts</c> and <c>Heck:Http:Certificate</c>: each bad value is an error naming its key.</summary>
public sealed class SecurityOptionsTests
{
    private static readonly string Hash = ApiTokens.HashOf("s3cret");

    private static HeckOptions Load(params (string Key, string? Value)[] pairs) =>
        HeckOptionsLoader.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build());

    private static string Fails(params (string, string?)[] pairs) =>
        string.Join("\n", Assert.Throws<HeckConfigurationException>(() => Load(pairs)).Errors);

    [Fact]
    public void A_token_binds_with_its_scopes()
    {
        var o = Load(("Heck:Api:Tokens:0:Name", "ci"), ("Heck:Api:Tokens:0:Scopes:0", "write"), ("Heck:Api:Tokens:0:Sha256", Hash.ToUpperInvariant()));
        var token = Assert.Single(ApiTokens.Load(o.Api, _ => throw new InvalidOperationException("no file")).All);
        Assert.Equal("ci", token.Name);
        Assert.Equal([ApiScope.Read, ApiScope.Write], token.Scopes.Order());
    }

    [Theory]
    [InlineData("abc", "Heck:Api:Tokens:0:Sha256: must be 64 hex digits")]
    [InlineData("zz", "Heck:Api:Tokens:0:Sha256: must be 64 hex digits")]
    public void A_bad_hash_names_its_key(string hash, string expected) =>
        Assert.Contains(expected, Fails(("Heck:Api:Tokens:0:Name", "a"), ("Heck:Api:Tokens:0:Scopes:0", "read"), ("Heck:Api:Tokens:0:Sha256", hash)));

    [Fact]
    public void A_token_needs_exactly_one_of_Sha256_or_File()
    {
        Assert.Contains("Heck:Api:Tokens:0: must have exactly one of Sha256",
            Fails(("Heck:Api:Tokens:0:Name", "a"), ("Heck:Api:Tokens:0:Scopes:0", "read"), ("Heck:Api:Tokens:0:Sha256", Hash), ("Heck:Api:Tokens:0:File", "/run/secrets/x")));
        Assert.Contains("Heck:Api:Tokens:0: must have exactly one of Sha256",
            Fails(("Heck:Api:Tokens:0:Name", "a"), ("Heck:Api:Tokens:0:Scopes:0", "read")));
    }

    [Fact]
    public void Names_scopes_and_unknown_keys_of_a_token_are_checked()
    {
        var errors = Fails(("Heck:Api:Tokens:0:Name", "a b"), ("Heck:Api:Tokens:0:Scopes:0", "root"), ("Heck:Api:Tokens:0:Sha256", Hash),
            ("Heck:Api:Tokens:1:Name", "x"), ("Heck:Api:Tokens:1:Sha256", Hash));
        Assert.Contains("Heck:Api:Tokens:0:Name: must match", errors);
        Assert.Contains("Heck:Api:Tokens:0:Scopes:0: must be read, write or admin (was 'root')", errors);
        Assert.Contains("Heck:Api:Tokens:1:Scopes: must list at least one", errors);
        Assert.Contains("Heck:Api:Tokens:0:Sha265 is not a known key",
            Fails(("Heck:Api:Tokens:0:Name", "a"), ("Heck:Api:Tokens:0:Scopes:0", "read"), ("Heck:Api:Tokens:0:Sha265", Hash)));
        Assert.Contains("names another token too", Fails(("Heck:Api:Tokens:0:Name", "a"), ("Heck:Api:Tokens:0:Scopes:0", "read"), ("Heck:Api:Tokens:0:Sha256", Hash),
            ("Heck:Api:Tokens:1:Name", "a"), ("Heck:Api:Tokens:1:Scopes:0", "read"), ("Heck:Api:Tokens:1:Sha256", ApiTokens.HashOf("other"))));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.3.0.9")]
    [InlineData("::1")]
    public void Without_tokens_a_loopback_listener_is_open(string address) =>
        Assert.Empty(Load(("Heck:Http:ListenAddress", address)).Api.Tokens);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("10.1.2.3")]
    public void Without_tokens_any_other_listener_refuses_to_start_naming_both_keys(string address)
    {
        var errors = Fails(("Heck:Http:ListenAddress", address));
        Assert.StartsWith("Heck:Api:Tokens:", errors);
        Assert.Contains("Heck:Api:AllowAnonymous=true", errors);
        Assert.True(Load(("Heck:Http:ListenAddress", address), ("Heck:Api:AllowAnonymous", "true")).Api.AllowAnonymous);
        Assert.Single(Load(("Heck:Http:ListenAddress", address), ("Heck:Api:Tokens:0:Name", "a"), ("Heck:Api:Tokens:0:Scopes:0", "read"),
            ("Heck:Api:Tokens:0:File", "/run/secrets/heck_api_token")).Api.Tokens);
    }

    [Fact]
    public void AllowAnonymous_with_tokens_and_bad_limits_are_refused()
    {
        Assert.Contains("Heck:Api:AllowAnonymous: must not be true", Fails(("Heck:Api:AllowAnonymous", "true"),
            ("Heck:Api:Tokens:0:Name", "a"), ("Heck:Api:Tokens:0:Scopes:0", "read"), ("Heck:Api:Tokens:0:Sha256", Hash)));
        Assert.Contains("Heck:Api:FailedAuthLimit: must be between", Fails(("Heck:Api:FailedAuthLimit", "0")));
        Assert.Contains("Heck:Api:FailedAuthWindowSeconds: must be between", Fails(("Heck:Api:FailedAuthWindowSeconds", "0")));
    }

    [Fact]
    public void A_token_file_is_read_trimmed_and_hashed_at_start_and_a_missing_one_names_its_key()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "token");
        File.WriteAllText(file, "  s3cret\n");
        var o = Load(("Heck:Api:Tokens:0:Name", "a"), ("Heck:Api:Tokens:0:Scopes:0", "admin"), ("Heck:Api:Tokens:0:File", file));
        var tokens = ApiTokens.Load(o.Api, File.ReadAllText);
        Assert.Equal("a", tokens.Find("s3cret")?.Name);
        Assert.Null(tokens.Find("s3cret\n"));
        Assert.Equal([ApiScope.Read, ApiScope.Write, ApiScope.Admin], tokens.All[0].Scopes.Order());

        File.Delete(file);
        var missing = Assert.Throws<HeckConfigurationException>(() => ApiTokens.Load(o.Api, File.ReadAllText));
        Assert.StartsWith("Heck:Api:Tokens:0:File: cannot read", Assert.Single(missing.Errors));
        File.WriteAllText(file, " \n");
        Assert.Equal($"Heck:Api:Tokens:0:File: '{file}' is empty", Assert.Single(Assert.Throws<HeckConfigurationException>(() => ApiTokens.Load(o.Api, File.ReadAllText)).Errors));
    }

    [Fact]
    public void Certificate_keys_are_checked()
    {
        Assert.Contains("Heck:Http:Certificate:Path: names a file that does not exist", Fails(("Heck:Http:Certificate:Path", "/nonexistent/api.pfx")));
        Assert.Contains("Heck:Http:Certificate:KeyPath: is required with PemPath", Fails(("Heck:Http:Certificate:PemPath", "/nonexistent/api.pem")));
        Assert.Contains("give either Path (PKCS#12) or PemPath and KeyPath", Fails(("Heck:Http:Certificate:Path", "a.pfx"), ("Heck:Http:Certificate:PemPath", "a.pem"), ("Heck:Http:Certificate:KeyPath", "a.key")));
        Assert.Contains("Heck:Http:Certificate:Password: is only for Path", Fails(("Heck:Http:Certificate:Password", "x")));
        Assert.Contains("Heck:Http:AllowedHosts:1: must be a host name", Fails(("Heck:Http:AllowedHosts:0", "heck.example"), ("Heck:Http:AllowedHosts:1", "bad host")));
    }
}
