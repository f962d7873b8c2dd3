using Heck.Membership.Swim;

namespace Heck.Tests.Membership;

/// <summary>SWIM timings for tests on real sockets: probes every 200 ms, so a join or a failure shows within seconds.</summary>
internal static class FastSwim
{
    public static SwimSettings Settings { get; } = new()
    {
        ProbeInterval = TimeSpan.FromMilliseconds(200),
        ProbeTimeout = TimeSpan.FromMilliseconds(80),
        SuspicionMult = 3, // k = 1: dynamic suspicion on (with 2, a fixed floor and no majority rule, false deaths)
        GossipInterval = TimeSpan.FromMilliseconds(50),
        PushPullInterval = TimeSpan.FromSeconds(2),
        JoinRetryInterval = TimeSpan.FromMilliseconds(300),
    };
}
