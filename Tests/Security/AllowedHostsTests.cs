using Heck.Silo.Configuration;
using Heck.Silo.Security;

namespace Heck.Tests.Security;

public sealed class AllowedHostsTests
{
    private static HeckOptions Options(string advertised = "10.0.0.5", string? name = "silo1", List<string>? allowed = null) => new()
    {
        Http = { ListenAddress = "0.0.0.0", AllowedHosts = allowed },
        Silo = { AdvertisedAddress = advertised, Name = name },
    };

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST.", true)]
    [InlineData("silo1", true)]
    [InlineData("heck-1.internal", true)]
    [InlineData("127.0.3.7", true)]
    [InlineData("192.0.2.1", true)]
    [InlineData("[::1]", true)]
    [InlineData("[2001:db8::1]", true)]
    [InlineData("", true)]
    [InlineData("evil.example", false)]
    [InlineData("localhost.evil.example", false)]
    [InlineData("127.0.0.1.evil.example", false)]
    public void By_default_localhost_the_silo_s_names_and_any_IP_literal_pass(string host, bool allowed) =>
        Assert.Equal(allowed, AllowedHosts.From(Options(advertised: "heck-1.internal")).Allows(host));

    [Fact]
    public void A_configured_list_replaces_the_names_but_IP_literals_still_pass()
    {
        var hosts = AllowedHosts.From(Options(allowed: ["heck.example.com"]));
        Assert.True(hosts.Allows("heck.example.com"));
        Assert.True(hosts.Allows("Heck.Example.Com"));
        Assert.True(hosts.Allows("10.0.0.5"));
        Assert.False(hosts.Allows("localhost"));
        Assert.False(hosts.Allows("silo1"));
        Assert.True(AllowedHosts.From(Options(allowed: ["*"])).Allows("evil.example"));
    }
}
