using Heck.Grains.Probing;

namespace Heck.Tests.Probing;

public sealed class NetworkPolicyTests
{
    private static NetworkPolicy Policy(string[] deny, string[] allow) =>
        NetworkPolicy.From(new ProbingOptions { DenyNetworks = deny, AllowNetworks = allow });

    [Theory]
    [InlineData("169.254.169.254"), InlineData("169.254.0.1"), InlineData("fe80::1"), InlineData("100.100.100.200"), InlineData("fd00:ec2::254")]
    [InlineData("::ffff:169.254.169.254")]
    public void Link_local_and_metadata_addresses_are_denied_by_default(string address) =>
        Assert.True(NetworkPolicy.Default.Denies(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1"), InlineData("::1"), InlineData("10.1.2.3"), InlineData("100.100.100.201"), InlineData("fd00:ec2::253"), InlineData("8.8.8.8")]
    public void Other_addresses_are_allowed_by_default(string address) =>
        Assert.False(NetworkPolicy.Default.Denies(IPAddress.Parse(address)));

    [Fact]
    public void Configured_networks_add_to_the_defaults_and_an_allow_at_least_as_narrow_lifts_a_denial()
    {
        var policy = Policy(["10.0.0.0/8", "127.0.0.2/32"], ["10.1.0.0/16", "169.254.10.0/24", "0.0.0.0/0", "127.0.0.2/32"]);
        Assert.True(policy.Denies(IPAddress.Parse("10.2.0.1")));
        Assert.False(policy.Denies(IPAddress.Parse("10.1.0.1")));         // the narrower allow wins
        Assert.False(policy.Denies(IPAddress.Parse("169.254.10.7")));     // a part of a default opened
        Assert.True(policy.Denies(IPAddress.Parse("169.254.169.254")));   // 0.0.0.0/0 is broader: opens nothing denied
        Assert.False(policy.Denies(IPAddress.Parse("127.0.0.2")));        // as narrow: allow wins the tie
        Assert.False(policy.Denies(IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void Only_a_denied_literal_is_refused_at_registration()
    {
        var policy = Policy(["127.0.0.2/32"], []);
        Assert.Equal("url", policy.CheckLiteral("http://127.0.0.2:8080/")?.Field);
        Assert.Equal("url", policy.CheckLiteral("tcp://[fe80::1]:22")?.Field);
        Assert.Equal("url", policy.CheckLiteral("http://169.254.169.254/latest/meta-data/")?.Field);
        Assert.Null(policy.CheckLiteral("http://127.0.0.1:8080/"));
        Assert.Null(policy.CheckLiteral("http://metadata.example/")); // a name: checked when it resolves
    }

    [Fact]
    public void Bad_networks_are_config_errors_naming_the_key()
    {
        var result = new ProbingOptionsValidator().Validate(null, new ProbingOptions { DenyNetworks = ["10.0.0.0/8", "nope"], AllowNetworks = ["10.0.0.1/8"] });
        Assert.Equal(
            ["Heck:Probing:DenyNetworks:1", "Heck:Probing:AllowNetworks:0"],
            result.Failures!.Select(f => f[..f.IndexOf(' ')]));
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public void The_narrowest_network_decides(uint raw, byte denyBits, byte allowBits)
    {
        var address = new IPAddress(BitConverter.GetBytes(raw));
        int d = denyBits % 33, a = allowBits % 33;
        var denyNet = Network(address, d);
        var allowNet = Network(address, a);
        var policy = new NetworkPolicy([denyNet], [allowNet]);
        Assert.Equal(a < d, policy.Denies(address));
    }

    private static IPNetwork Network(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < 32; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
