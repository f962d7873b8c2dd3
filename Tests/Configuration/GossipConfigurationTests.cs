using Heck.Grains.Replica;
using Heck.Silo;
using Microsoft.Extensions.Options;

namespace Heck.Tests.Configuration;

/// <summary>Every <c>Heck:Gossip</c> key reaches the replica's options in a built host.</summary>
public sealed class GossipConfigurationTests
{
    [Fact]
    public async Task Every_gossip_key_reaches_the_replica()
    {
        using var data = new TempDirectory();
        await using var app = HeckHost.Build([
            $"--Heck:Storage:Path={data.Path}", "--Heck:Membership:Provider=Development",
            "--Heck:Gossip:IntervalMs=123", "--Heck:Gossip:Fanout=5", "--Heck:Gossip:AntiEntropyIntervalMs=4567",
            "--Heck:Gossip:Mode=Pull", "--Heck:Gossip:CallTimeoutMs=789", "--Heck:Gossip:FullState=true",
        ]);
        var gossip = app.Services.GetRequiredService<IOptions<GossipOptions>>().Value;
        Assert.Equal((123, 5, 4567, GossipMode.Pull, 789, true),
            (gossip.IntervalMs, gossip.Fanout, gossip.AntiEntropyIntervalMs, gossip.Mode, gossip.CallTimeoutMs, gossip.FullState));
    }
}

/// <summary><c>Heck:Placement:Confirmers</c> reaches the confirmation options, bound rather than copied.</summary>
public sealed class ConfirmationConfigurationTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("0", 0)]
    [InlineData("3", 3)]
    public async Task Confirmers_reach_the_confirmation_options(string? value, int? expected)
    {
        using var data = new TempDirectory();
        string[] args = [$"--Heck:Storage:Path={data.Path}", "--Heck:Membership:Provider=Development"];
        if (value is not null) args = [.. args, $"--Heck:Placement:Confirmers={value}"];
        await using var app = HeckHost.Build(args);
        Assert.Equal(expected, app.Services.GetRequiredService<IOptions<Heck.Grains.Origins.ConfirmationOptions>>().Value.Confirmers);
    }
}

/// <summary><c>Heck:Reads:CausalWaitMs</c> reaches the read options; a bad value stops the host naming the key.</summary>
public sealed class ReadsConfigurationTests
{
    [Fact]
    public async Task The_causal_wait_reaches_the_read_options()
    {
        using var data = new TempDirectory();
        await using var app = HeckHost.Build([$"--Heck:Storage:Path={data.Path}", "--Heck:Membership:Provider=Development", "--Heck:Reads:CausalWaitMs=750"]);
        Assert.Equal(750, app.Services.GetRequiredService<IOptions<ReadOptions>>().Value.CausalWaitMs);
    }

    [Fact]
    public void A_causal_wait_out_of_range_is_a_config_error_naming_the_key()
    {
        var errors = Heck.Silo.Configuration.HeckOptionsValidator.Check(new Heck.Silo.Configuration.HeckOptions { Reads = new ReadOptions { CausalWaitMs = 70_000 } });
        Assert.Contains(errors, e => e.Contains("Heck:Reads:CausalWaitMs", StringComparison.Ordinal));
    }
}
