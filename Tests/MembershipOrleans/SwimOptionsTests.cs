using Heck.Membership.Orleans;
using Heck.Membership.Swim;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace Heck.Tests.MembershipOrleans;

/// <summary>Bad options fail at registration, with a message that names the option.</summary>
public sealed class SwimOptionsTests
{
    private static string SiloError(Action<SwimClusteringOptions> configure) =>
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddSwimClustering(configure)).Message;

    [Theory]
    [InlineData("nonsense", "SwimClusteringOptions.Seeds[1]")]
    [InlineData("host:", "SwimClusteringOptions.Seeds[1]")]
    [InlineData("host:99999", "port 99999 is outside 1..65535")]
    [InlineData("::1:7946", "[address]:port")]
    public void A_bad_seed_is_named(string seed, string expected)
    {
        var message = SiloError(o => o.Seeds = ["127.0.0.1:7946", seed]);
        Assert.Contains(expected, message);
        Assert.Contains(seed, message);
        Assert.DoesNotContain("Seeds[0] ('127.0.0.1:7946')", message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(70000)]
    public void A_port_out_of_range_is_named(int port) =>
        Assert.Contains($"SwimClusteringOptions.Port ({port})", SiloError(o => o.Port = port));

    [Fact]
    public void The_silo_builder_extension_fails_at_configuration_naming_the_option()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var error = Assert.Throws<ArgumentException>(() => builder.UseOrleans(silo => silo.UseSwimClustering(o => o.Port = 70000)));
        Assert.Contains("SwimClusteringOptions.Port (70000) must be 0..65535", error.Message);
    }

    [Fact]
    public void A_key_that_is_not_base64_is_named() =>
        Assert.Contains("SwimClusteringOptions.Keys[1] is not valid base64", SiloError(o => o.Keys = [Convert.ToBase64String(new byte[32]), "not base64!"]));

    [Fact]
    public void A_key_of_the_wrong_length_is_named() =>
        Assert.Contains("SwimClusteringOptions.Keys[0] decodes to 10 bytes", SiloError(o => o.Keys = [Convert.ToBase64String(new byte[10])]));

    [Fact]
    public void Bad_bind_address_advertise_host_and_settings_are_named()
    {
        Assert.Contains("SwimClusteringOptions.BindAddress", SiloError(o => o.BindAddress = "not-an-ip"));
        Assert.Contains("SwimClusteringOptions.AdvertiseHost", SiloError(o => o.AdvertiseHost = ""));
        Assert.Contains("SwimClusteringOptions.Settings.ProbeTimeout", SiloError(o => o.Settings = new SwimSettings { ProbeTimeout = TimeSpan.FromSeconds(5) }));
        Assert.Contains("SwimClusteringOptions.JoinTimeout", SiloError(o => o.JoinTimeout = TimeSpan.Zero));
    }

    [Fact]
    public void Valid_options_register_the_table_and_the_swim_service()
    {
        var services = new ServiceCollection().AddSwimClustering(o =>
        {
            o.Seeds = ["10.0.0.1:7946", "[::1]:7946", "silo-1.example:7946"];
            o.Keys = [Convert.ToBase64String(new byte[16])];
        });
        Assert.Contains(services, d => d.ServiceType == typeof(Orleans.IMembershipTable));
        Assert.Contains(services, d => d.ServiceType == typeof(SwimMembership));
    }

    [Fact]
    public void The_client_names_its_bad_options()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var empty = Assert.Throws<ArgumentException>(() => builder.UseOrleansClient(c => c.UseSwimGateways([])));
        Assert.Contains("SwimGatewayOptions.Seeds", empty.Message);

        builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var bad = Assert.Throws<ArgumentException>(() => builder.UseOrleansClient(c => c.UseSwimGateways(o =>
        {
            o.Seeds = ["127.0.0.1:7946"];
            o.Keys = ["%%%"];
        })));
        Assert.Contains("SwimGatewayOptions.Keys[0]", bad.Message);
    }
}
