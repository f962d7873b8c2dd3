using System.Net.Sockets;
using Heck.Silo.Configuration;

namespace Heck.Tests.Configuration;

/// <summary><c>Heck:Silo:AdvertisedAddress</c>: an IP address, or a host name resolved once at start.</summary>
[Trait("Category", "Cluster")]
public sealed class AdvertisedAddressTests
{
    private static IPAddress[] Never(string name) => throw new InvalidOperationException($"looked up {name}");

    [Theory]
    [InlineData("10.0.0.7")]
    [InlineData("::1")]
    public void An_ip_address_is_taken_as_it_is_without_a_lookup(string value) =>
        Assert.Equal(IPAddress.Parse(value), AdvertisedAddress.Resolve(value, Never));

    [Fact]
    public void A_name_advertises_its_first_ipv4_address_else_its_first_ipv6_one()
    {
        Assert.Equal(IPAddress.Parse("172.28.0.11"),
            AdvertisedAddress.Resolve("silo1", _ => [IPAddress.Parse("fd00::11"), IPAddress.Parse("172.28.0.11"), IPAddress.Parse("172.28.0.12")]));
        Assert.Equal(IPAddress.Parse("fd00::11"), AdvertisedAddress.Resolve("silo1", _ => [IPAddress.Parse("fd00::11")]));
    }

    [Fact]
    public void A_name_that_does_not_resolve_is_a_configuration_error_naming_the_key()
    {
        var unknown = Assert.Throws<HeckConfigurationException>(() =>
            AdvertisedAddress.Resolve("nowhere.invalid", _ => throw new SocketException((int)SocketError.HostNotFound)));
        Assert.Contains(unknown.Errors, e => e.StartsWith("Heck:Silo:AdvertisedAddress 'nowhere.invalid' does not resolve", StringComparison.Ordinal));
        var empty = Assert.Throws<HeckConfigurationException>(() => AdvertisedAddress.Resolve("silo1", _ => []));
        Assert.Contains(empty.Errors, e => e.Contains("Heck:Silo:AdvertisedAddress 'silo1' resolves to no IP address", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("silo1", true)]
    [InlineData("heck-2.internal", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("not an address", false)]
    [InlineData("silo_1!", false)]
    [InlineData("", false)]
    public void Names_and_addresses_are_valid_anything_else_is_not(string value, bool valid) =>
        Assert.Equal(valid, AdvertisedAddress.IsValid(value));
}

/// <summary>A real silo started with a host name as its advertised address.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
public sealed class AdvertisedHostNameSiloTests
{
    [Fact]
    public async Task A_silo_advertised_as_localhost_advertises_its_loopback_address()
    {
        await using var silo = await InProcessSilo.StartAsync(extraArgs: ["--Heck:Silo:AdvertisedAddress=localhost"]);
        var members = await silo.GetJsonAsync("/api/cluster/members");
        var member = Assert.Single(members.GetProperty("members").EnumerateArray());
        Assert.Equal($"127.0.0.1:{silo.SiloPort}", member.GetProperty("address").GetString());
        Assert.Equal("alive", member.GetProperty("status").GetString());
    }
}
