namespace Heck.Membership.Swim;

/// <summary>
/// Named tunings in the style of memberlist's DefaultLANConfig / DefaultLocalConfig / DefaultWANConfig. Each keeps
/// Lifeguard's dynamic suspicion on (k = SuspicionMult − 2 &gt; 0: a lone suspicion waits up to the ceiling, each
/// independent confirmation shortens it toward the floor). <see cref="Fast"/> is the library's and the silo's default.
/// </summary>
public static class SwimProfiles
{
    /// <summary>memberlist's LAN profile: probe 1 s, floor 4 s (at ≤ 10 members); a crash is found in ~5.5 s, like Serf.</summary>
    public static SwimSettings Lan { get; } = new()
    {
        ProbeInterval = TimeSpan.FromSeconds(1),
        ProbeTimeout = TimeSpan.FromMilliseconds(500),
        SuspicionMult = 4,
        GossipInterval = TimeSpan.FromMilliseconds(200),
        PushPullInterval = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// One data centre, crash found in ~2 s at 5 members: probe 400 ms, suspicion floor 3 · 400 ms = 1.2 s (k = 1), so
    /// the earliest a stalled member can be declared dead is a probe period plus the floor, 1.6 s after its stall
    /// began (a 1.5 s GC or VM pause is survived; the simulator checks both).
    /// </summary>
    public static SwimSettings Fast { get; } = new();

    /// <summary>memberlist's WAN profile: probe 5 s, timeout 3 s, floor 6 · 5 s, gossip 500 ms to 4 members, push-pull 60 s.</summary>
    public static SwimSettings Wan { get; } = new()
    {
        ProbeInterval = TimeSpan.FromSeconds(5),
        ProbeTimeout = TimeSpan.FromSeconds(3),
        SuspicionMult = 6,
        GossipInterval = TimeSpan.FromMilliseconds(500),
        GossipNodes = 4,
        PushPullInterval = TimeSpan.FromSeconds(60),
        ReconnectInterval = TimeSpan.FromSeconds(10),
    };

    public static IReadOnlyList<string> Names { get; } = ["lan", "fast", "wan"];

    /// <summary>The profile of that name (case-insensitive), or null.</summary>
    public static SwimSettings? Find(string? name) => name?.ToLowerInvariant() switch
    {
        "lan" => Lan,
        "fast" => Fast,
        "wan" => Wan,
        _ => null,
    };
}
