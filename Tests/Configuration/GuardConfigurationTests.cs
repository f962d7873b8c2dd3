using Heck.Silo.Configuration;

namespace Heck.Tests.Configuration;

/// <summary><c>Heck:Probing</c> and <c>Heck:Limits</c> bind from any source and every bad value names its key.</summary>
public sealed class GuardConfigurationTests
{
    private static HeckOptions Load(params (string Key, string? Value)[] pairs) => HeckOptionsLoaderTests.Load(pairs);

    [Fact]
    public void Networks_and_limits_bind_and_default()
    {
        var defaults = Load();
        Assert.Empty(defaults.Probing.DenyNetworks);
        Assert.Equal((100_000, 100, 10_000.0), (defaults.Limits.MaxOrigins, defaults.Limits.MinIntervalMs, defaults.Limits.ProbesPerSecondPerSilo));

        var o = Load(("Heck:Probing:DenyNetworks:0", "10.0.0.0/8"), ("Heck:Probing:DenyNetworks:1", "fd00::/8"),
            ("Heck:Probing:AllowNetworks:0", "10.1.0.0/16"), ("Heck:Limits:MaxOrigins", "5"), ("Heck:Limits:MinIntervalMs", "50"),
            ("Heck:Limits:ProbesPerSecondPerSilo", "2.5"));
        Assert.Equal(["10.0.0.0/8", "fd00::/8"], o.Probing.DenyNetworks);
        Assert.Equal(["10.1.0.0/16"], o.Probing.AllowNetworks);
        Assert.Equal((5, 50, 2.5), (o.Limits.MaxOrigins, o.Limits.MinIntervalMs, o.Limits.ProbesPerSecondPerSilo));
    }

    [Fact]
    public void Bad_values_name_their_keys()
    {
        var ex = Assert.Throws<HeckConfigurationException>(() => Load(
            ("Heck:Probing:DenyNetworks:0", "10.0.0.0/33"), ("Heck:Probing:AllowNetworks:0", "example.com"),
            ("Heck:Limits:MaxOrigins", "0"), ("Heck:Limits:MinIntervalMs", "0"), ("Heck:Limits:ProbesPerSecondPerSilo", "-1")));
        var keys = ex.Message;
        foreach (var key in new[] { "Heck:Probing:DenyNetworks:0", "Heck:Probing:AllowNetworks:0", "Heck:Limits:MaxOrigins", "Heck:Limits:MinIntervalMs", "Heck:Limits:ProbesPerSecondPerSilo" })
            Assert.Contains(key + " must", keys);
        Assert.Contains("Heck:Limits:MaxOrgins is not a known key",
            Assert.Throws<HeckConfigurationException>(() => Load(("Heck:Limits:MaxOrgins", "1"))).Message);
    }

    [Fact]
    public void The_origins_file_takes_the_configured_interval_floor()
    {
        const string text = "origins:\n  - id: quick\n    url: http://a/\n    intervalMs: 60\n";
        Assert.Equal(60, Assert.Single(Heck.Silo.OriginsFile.OriginsFileLoader.Parse("o.yaml", text, minIntervalMs: 50).Specs).IntervalMs);
        var error = Assert.Single(Heck.Silo.OriginsFile.OriginsFileLoader.Parse("o.yaml", text, minIntervalMs: 100).Errors);
        Assert.Equal(("intervalMs", "must be 100 … 86400000 (was 60)"), (error.Key, error.Message));
    }
}
