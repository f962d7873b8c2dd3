using Heck.Grains.Replica;
using Heck.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

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
