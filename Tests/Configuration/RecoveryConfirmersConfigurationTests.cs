using Heck.Grains.Origins;
using Heck.Silo;
using Heck.Silo.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Heck.Tests.Configuration;

/// <summary><c>Heck:Placement:RecoveryConfirmers</c> is a known key, checked, and reaches the confirmation options.</summary>
public sealed class RecoveryConfirmersConfigurationTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("0", 0)]
    [InlineData("2", 2)]
    public async Task RecoveryConfirmers_reach_the_confirmation_options(string? value, int? expected)
    {
        using var data = new TempDirectory();
        string[] args = [$"--Heck:Storage:Path={data.Path}", "--Heck:Membership:Provider=Development"];
        if (value is not null) args = [.. args, $"--Heck:Placement:RecoveryConfirmers={value}"];
        await using var app = HeckHost.Build(args);
        Assert.Equal(expected, app.Services.GetRequiredService<IOptions<ConfirmationOptions>>().Value.RecoveryConfirmers);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("11")]
    public void Out_of_range_values_name_the_key(string value)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(
            [new KeyValuePair<string, string?>("Heck:Placement:RecoveryConfirmers", value)]).Build();
        var ex = Assert.Throws<HeckConfigurationException>(() => HeckOptionsLoader.Load(config));
        Assert.Contains(ex.Errors, e => e.Contains("Heck:Placement:RecoveryConfirmers", StringComparison.Ordinal));
    }
}
