using Heck.Silo.Configuration;
using Microsoft.Extensions.Configuration;

namespace Heck.Tests.Metrics;

/// <summary><c>Heck:Metrics</c>: off by default, bound from configuration, a bad value named by its key.</summary>
public sealed class MetricsOptionsTests
{
    private static HeckOptions Load(params (string Key, string? Value)[] pairs) =>
        HeckOptionsLoader.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build());

    [Fact]
    public void Anonymous_is_off_by_default_and_binds()
    {
        Assert.False(Load().Metrics.Anonymous);
        Assert.True(Load(("Heck:Metrics:Anonymous", "true")).Metrics.Anonymous);
    }

    [Fact]
    public void A_bad_value_names_the_key()
    {
        var e = Assert.Throws<HeckConfigurationException>(() => Load(("Heck:Metrics:Anonymous", "sometimes")));
        Assert.Contains(e.Errors, x => x.Contains("Heck:Metrics:Anonymous", StringComparison.Ordinal));
    }
}
