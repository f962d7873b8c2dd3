using Heck.Membership.Swim;

namespace Heck.Tests.Membership;

/// <summary><see cref="AddressPolicy"/>: what addresses a received SWIM message may name (pure, no sockets).</summary>
public sealed class AddressPolicyTests
{
    private static readonly AddressPolicy Loopback = AddressPolicy.Around(["127.0.0.1"]);

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.3.7", true)]
    [InlineData("127.255.255.254", true)]
    [InlineData("128.0.0.1", false)]
    [InlineData("121.0.0.1", false)]   // what a fuzzed "127" became
    [InlineData("12P.0.0.1", false)]   // a name: never resolved
    [InlineData("localhost", false)]
    [InlineData("127.000.0.1", false)] // a second spelling of one socket
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("", false)]
    public void Around_loopback_admits_127_slash_8_literals_only(string host, bool admitted) =>
        Assert.Equal(admitted, Loopback.Admits(host));

    [Fact]
    public void Around_a_lan_address_admits_its_slash_24_and_the_configured_names()
    {
        var policy = AddressPolicy.Around(["10.1.2.3", "0.0.0.0", "silo2", "10.9.0.5"]);
        Assert.True(policy.Admits("10.1.2.200"));
        Assert.True(policy.Admits("10.9.0.77"));
        Assert.False(policy.Admits("10.1.3.1"));
        Assert.False(policy.Admits("0.0.0.1"));  // a wildcard bind stands for no network
        Assert.True(policy.Admits("silo2"));     // a seed's name, from configuration
        Assert.False(policy.Admits("silo3"));
        Assert.Equal(["silo2"], policy.Names);
    }

    [Fact]
    public void IPv6_addresses_get_their_slash_64()
    {
        var policy = AddressPolicy.Around(["fd00:1:2:3::10", "::1"]);
        Assert.True(policy.Admits("fd00:1:2:3::99"));
        Assert.False(policy.Admits("fd00:1:2:4::10"));
        Assert.True(policy.Admits("::1"));
        Assert.False(policy.Admits("::2"));
    }

    [Fact]
    public void A_message_is_admitted_only_when_every_node_it_names_is()
    {
        NodeId Node(string host) => new(host, 7946, 1);
        var good = Node("127.0.0.2");
        var far = Node("10.0.0.1");
        Assert.True(Loopback.Admits(new Ping(good, 1, Node("127.0.0.3"))));
        Assert.False(Loopback.Admits(new Ping(far, 1, good)));
        Assert.False(Loopback.Admits(new Ping(good, 1, far)));
        Assert.False(Loopback.Admits(new PingReq(good, 1, far, true)));
        Assert.False(Loopback.Admits(new Gossip(good) { Updates = [new MemberUpdate(good, 1, MemberStatus.Alive), new MemberUpdate(far, 1, MemberStatus.Alive)] }));
        Assert.False(Loopback.Admits(new Gossip(good) { Updates = [new MemberUpdate(good, 1, MemberStatus.Suspect, Confirmer: far)] }));
        Assert.True(Loopback.Admits(new PushPull(good, false, true) { Updates = [new MemberUpdate(Node("127.9.9.9"), 4, MemberStatus.Dead, Confirmer: good)] }));
    }

    private static bool ExpectedOnLoopback(string host) =>
        System.Net.IPAddress.TryParse(host, out var ip) && ip.ToString() == host &&
        ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.GetAddressBytes()[0] == 127;

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public void No_string_but_a_canonical_literal_inside_the_networks_is_admitted(string host) =>
        Assert.Equal(ExpectedOnLoopback(host ?? ""), Loopback.Admits(host ?? ""));

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public void Dotted_quads_are_admitted_exactly_inside_127_slash_8(byte a, byte b, byte c, byte d, bool padded)
    {
        var host = padded ? $"{a:000}.{b}.{c}.{d}" : $"{a}.{b}.{c}.{d}";
        Assert.Equal(ExpectedOnLoopback(host), Loopback.Admits(host));
        Assert.Equal(a == 127, Loopback.Admits(host));
    }

    [Fact]
    public void Explicit_networks_replace_the_default()
    {
        var policy = new AddressPolicy([System.Net.IPNetwork.Parse("127.0.0.0/30")]);
        Assert.True(policy.Admits("127.0.0.2"));
        Assert.False(policy.Admits("127.0.0.77"));
    }
}
