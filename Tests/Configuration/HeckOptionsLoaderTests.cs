using Heck.Membership.Swim;
using Heck.Silo.Configuration;
using Microsoft.Extensions.Configuration;

namespace Heck.Tests.Configuration;

public sealed class HeckOptionsLoaderTests
{
    internal static HeckOptions Load(params (string Key, string? Value)[] pairs) =>
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
    [InlineData("Heck:Cluster:Id", "trailing-newline\n")]
    [InlineData("Heck:Cluster:ServiceId", "trailing-newline\n")]
    [InlineData("Heck:Silo:AdvertisedAddress", "not an address")]
    [InlineData("Heck:Http:ListenAddress", "nowhere")]
    [InlineData("Heck:Storage:Path", "")]
    [InlineData("Heck:Swim:Port", "0")]
    [InlineData("Heck:Swim:ProbeIntervalMs", "1")]
    [InlineData("Heck:Swim:ProbeTimeoutMs", "5")]
    [InlineData("Heck:Swim:SuspicionMult", "0")]
    [InlineData("Heck:Swim:BindAddress", "everywhere")]
    [InlineData("Heck:Swim:Seeds:0", "no-port")]
    [InlineData("Heck:Swim:Keys:0", "not base64!")]
    [InlineData("Heck:Swim:AllowedNetworks:0", "10.0.0.0/99")]
    [InlineData("Heck:Swim:AllowedNetworks:0", "not-a-network")]
    [InlineData("Heck:Gossip:IntervalMs", "0")]
    [InlineData("Heck:Gossip:Fanout", "0")]
    [InlineData("Heck:Placement:Weight", "0")]
    [InlineData("Heck:Placement:Confirmers", "11")]
    [InlineData("Heck:Membership:PrimarySilo", "nowhere")]
    public void Bad_values_name_their_key(string key, string value) =>
        Assert.Contains(Fails((key, value)).Errors, e => e.Contains(key));

    [Fact]
    public void Swim_is_the_default_membership_and_its_defaults_detect_fast()
    {
        var o = Load();
        Assert.Equal(MembershipProvider.Swim, o.Membership.Provider);
        Assert.Equal(7946, o.Swim.Port);
        Assert.Empty(o.Swim.Seeds);
        Assert.Equal("fast", o.Swim.Profile);
        Assert.Equal(SwimProfiles.Fast, o.Swim.Settings());
        var seeded = Load(("Heck:Swim:Seeds:0", "127.0.0.1:7946"), ("Heck:Swim:Port", "7947"), ("Heck:Membership:Provider", "swim"));
        Assert.Equal(["127.0.0.1:7946"], seeded.Swim.Seeds);
    }

    [Fact]
    public void A_swim_profile_is_chosen_by_name_and_its_keys_override_it()
    {
        Assert.Equal(SwimProfiles.Lan, Load(("Heck:Swim:Profile", "lan")).Swim.Settings());
        var wan = Load(("Heck:Swim:Profile", "wan"), ("Heck:Swim:ProbeIntervalMs", "4000"), ("Heck:Swim:SuspicionMult", "5")).Swim.Settings()!;
        Assert.Equal(TimeSpan.FromSeconds(4), wan.ProbeInterval);
        Assert.Equal(5, wan.SuspicionMult);
        Assert.Equal(SwimProfiles.Wan.ProbeTimeout, wan.ProbeTimeout);
        Assert.Equal(SwimProfiles.Wan.GossipNodes, wan.GossipNodes);
        // The timeout check uses the values in effect: fast's 200 ms timeout against a 150 ms interval.
        Assert.Contains(Fails(("Heck:Swim:ProbeIntervalMs", "150")).Errors, e => e.Contains("Heck:Swim:ProbeTimeoutMs"));
    }

    [Fact]
    public void An_unknown_swim_profile_is_an_error_naming_the_key() =>
        Assert.Contains(Fails(("Heck:Swim:Profile", "local")).Errors, e => e.Contains("Heck:Swim:Profile") && e.Contains("lan, fast, wan"));

    [Fact]
    public void AdoNet_needs_a_connection_string_naming_the_key()
    {
        Assert.Contains("Heck:AdoNet:ConnectionString", Fails(("Heck:Membership:Provider", "AdoNet")).Message);
        Assert.Equal(MembershipProvider.AdoNet,
            Load(("Heck:Membership:Provider", "AdoNet"), ("Heck:AdoNet:ConnectionString", "Host=127.0.0.1;Database=heck;Username=heck")).Membership.Provider);
        Assert.Contains("Heck:Membership:Provider", Fails(("Heck:Membership:Provider", "Zookeeper")).Message);
    }

    [Theory]
    [InlineData("Heck:Silo:AdvertisedAddress", "10.1.2.3")]
    [InlineData("Heck:Swim:BindAddress", "0.0.0.0")]
    [InlineData("Heck:Silo:AdvertisedAddress", "silo1.example")]
    public void Swim_beyond_loopback_needs_a_key_or_an_explicit_risk(string key, string address)
    {
        var e = Fails((key, address));
        var error = Assert.Single(e.Errors, m => m.StartsWith("Heck:Swim:Keys", StringComparison.Ordinal));
        Assert.Contains("Heck:Swim:AllowUnauthenticated", error);
        Assert.Contains(address, error);
        var key0 = Convert.ToBase64String(new byte[32]);
        Assert.Equal([key0], Load((key, address), ("Heck:Swim:Keys:0", key0)).Swim.Keys);
        Assert.True(Load((key, address), ("Heck:Swim:AllowUnauthenticated", "true")).Swim.IsOpenBeyondLoopback(address));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.3.7")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void Swim_on_loopback_runs_without_a_key(string address) =>
        Assert.False(Load(("Heck:Silo:AdvertisedAddress", address)).Swim.IsOpenBeyondLoopback(address));

    [Fact]
    public void The_swim_port_must_not_clash() =>
        Assert.Contains("Heck:Swim:Port", Fails(("Heck:Swim:Port", "8080")).Message);

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

    [Theory]
    [InlineData("-1")]
    [InlineData("100.5")]
    [InlineData("NaN")]
    public void An_injected_loss_outside_0_to_100_names_its_key(string value) =>
        Assert.Contains(Fails(("Heck:Swim:InjectLossPercent", value)).Errors, e => e.Contains("Heck:Swim:InjectLossPercent"));

    [Fact]
    public void Injected_loss_defaults_to_none_and_reaches_the_swim_options()
    {
        Assert.Equal(0, Load().Swim.InjectLossPercent);
        Assert.Equal(0, Load().Swim.ToClustering("127.0.0.1").InjectedLossPercent);
        var lossy = Load(("Heck:Swim:InjectLossPercent", "12.5"));
        Assert.Equal(12.5, lossy.Swim.InjectLossPercent);
        Assert.Equal(12.5, lossy.Swim.ToClustering("127.0.0.1").InjectedLossPercent);
        Assert.Empty(lossy.Swim.ToClustering("127.0.0.1").Validate());
        Assert.Equal(100, Load(("Heck:Swim:InjectLossPercent", "100")).Swim.InjectLossPercent);
    }
}
