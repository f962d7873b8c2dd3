using Heck.Client.Sdk;
using Heck.Client.Cli;

namespace Heck.Tests.Client;

public class GatewayAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:30000", "127.0.0.1", 30000)]
    [InlineData("silo-1.example:31000", "silo-1.example", 31000)]
    [InlineData("localhost", "localhost", GatewayAddress.DefaultPort)]
    [InlineData(" 10.0.0.7:1 ", "10.0.0.7", 1)]
    [InlineData("[::1]:30001", "::1", 30001)]
    [InlineData("[fe80::1]", "fe80::1", GatewayAddress.DefaultPort)]
    [InlineData("::1", "::1", GatewayAddress.DefaultPort)]
    [InlineData("host:65535", "host", 65535)]
    public void Parses_host_and_port(string text, string host, int port)
    {
        Assert.True(GatewayAddress.TryParse(text, out var address, out var error), error);
        Assert.Equal(new GatewayAddress(host, port), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("host:12ab")]
    [InlineData(":30000")]
    [InlineData("http://host:30000")]
    [InlineData("bad host:30000")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("[not-ipv6]:1")]
    [InlineData("a:b:c")]
    public void Rejects_what_is_not_host_port(string text)
    {
        Assert.False(GatewayAddress.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Parse_throws_an_argument_exception_that_names_the_value()
    {
        var ex = Assert.Throws<ArgumentException>(() => GatewayAddress.Parse("db:99999"));
        Assert.Contains("'db:99999'", ex.Message);
        Assert.Contains("port", ex.Message);
    }

    [Theory]
    [InlineData("127.0.0.1:30000", "127.0.0.1:30000")]
    [InlineData("[::1]:5", "[::1]:5")]
    [InlineData("example.org", "example.org:30000")]
    public void Prints_as_host_port(string text, string printed) =>
        Assert.Equal(printed, GatewayAddress.Parse(text).ToString());

    [Fact]
    public async Task Resolves_ip_literals_without_dns_and_localhost_to_ipv4()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 7), await GatewayAddress.Parse("10.1.2.3:7").ResolveAsync());
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 7), await GatewayAddress.Parse("[::1]:7").ResolveAsync());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7), await GatewayAddress.Parse("localhost:7").ResolveAsync());
    }

    [Fact]
    public async Task Connect_rejects_a_bad_gateway_before_trying_anything()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            HeckClient.ConnectAsync(new HeckClientOptions { Gateways = ["127.0.0.1:30000", "nope:abc"] }));
        Assert.Contains("'nope:abc'", ex.Message);
    }

    [Fact]
    public void Command_line_gateways_win_over_the_environment_which_wins_over_the_default()
    {
        Assert.Equal(["a:1", "b:2", "c:3"], GlobalOptions.ResolveGateways(["a:1", "b:2,c:3"], "env:9"));
        Assert.Equal(["env:9", "env:10"], GlobalOptions.ResolveGateways([], "env:9, env:10"));
        Assert.Equal(["env:9"], GlobalOptions.ResolveGateways(null, "env:9"));
        Assert.Equal(["127.0.0.1:30000"], GlobalOptions.ResolveGateways(null, null));
        Assert.Equal(["127.0.0.1:30000"], GlobalOptions.ResolveGateways([], "  "));
        // An empty --gateway is a mistake to report, not a reason to use the default.
        Assert.Equal([""], GlobalOptions.ResolveGateways([""], "env:9"));
    }
}
