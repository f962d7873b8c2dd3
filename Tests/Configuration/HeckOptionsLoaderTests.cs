using Heck.Silo.Configuration;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Heck.Tests.Configuration;

public sealed class HeckOptionsLoaderTests
{
    private static HeckOptions Load(params (string Key, string? Value)[] pairs) =>
        HeckOptionsLoader.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build());

    private static HeckConfigurationException Fails(params (string, string?)[] pairs) =>
        Assert.Throws<HeckConfigurationException>(() => Load(pairs));

    [Fact]
    public void Defaults_are_a_local_single_silo()
    {
        var o = Load();
        Assert.Equal("heck", o.Cluster.Id);
        Assert.Equal(8080, o.Http.Port);
        Assert.Equal(11111, o.Silo.Port);
        Assert.Equal(30000, o.Silo.GatewayPort);
        Assert.Equal("./data", o.Storage.Path);
        Assert.Null(o.OriginsFile);
    }

    [Fact]
    public void Command_line_and_environment_forms_bind()
    {
        var config = new ConfigurationBuilder()
            .AddCommandLine(["--Heck:Http:Port=8081"])
            .AddInMemoryCollection([new("Heck:Silo:Port", "11112")])
            .Build();
        var o = HeckOptionsLoader.Load(config);
        Assert.Equal(8081, o.Http.Port);
        Assert.Equal(11112, o.Silo.Port);

        Environment.SetEnvironmentVariable("HECKTEST_Heck__Silo__GatewayPort", "30001");
        try
        {
            var env = new ConfigurationBuilder().AddEnvironmentVariables("HECKTEST_").Build();
            Assert.Equal(30001, HeckOptionsLoader.Load(env).Silo.GatewayPort);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HECKTEST_Heck__Silo__GatewayPort", null);
        }
    }

    [Theory]
    [InlineData("Heck:Http:Port", "0")]
    [InlineData("Heck:Http:Port", "65536")]
    [InlineData("Heck:Silo:Port", "-1")]
    [InlineData("Heck:Silo:GatewayPort", "70000")]
    [InlineData("Heck:Cluster:Id", "has space")]
    [InlineData("Heck:Silo:AdvertisedAddress", "not-an-ip")]
    [InlineData("Heck:Http:ListenAddress", "nowhere")]
    [InlineData("Heck:Storage:Path", "")]
    public void Bad_values_name_their_key(string key, string value) =>
        Assert.Contains(Fails((key, value)).Errors, e => e.Contains(key));

    [Fact]
    public void A_value_of_the_wrong_type_names_its_key() =>
        Assert.Contains("Heck:Http:Port", Fails(("Heck:Http:Port", "eighty")).Message);

    [Fact]
    public void Unknown_keys_are_errors()
    {
        var e = Fails(("Heck:Http:Prot", "8081"), ("Heck:Colour", "red"));
        Assert.Contains(e.Errors, m => m.Contains("Heck:Http:Prot"));
        Assert.Contains(e.Errors, m => m.Contains("Heck:Colour"));
    }

    [Fact]
    public void Clashing_ports_are_errors() =>
        Assert.Contains("must differ", Fails(("Heck:Http:Port", "11111")).Message);

    [Fact]
    public void A_missing_origins_file_is_an_error() =>
        Assert.Contains("Heck:OriginsFile", Fails(("Heck:OriginsFile", "/nonexistent/origins.yaml")).Message);
}
