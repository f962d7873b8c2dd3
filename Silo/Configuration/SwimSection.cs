using Heck.Membership.Orleans;
using Heck.Membership.Swim;

namespace Heck.Silo.Configuration;

/// <summary>
/// <c>Heck:Swim</c>: SWIM membership. Timing comes from a named <see cref="Profile"/> (<c>fast</c> by default: a crash
/// found in ~2 s at 5 silos, a 1.5 s stall survived; <c>lan</c> and <c>wan</c> are memberlist's); each timing key that is
/// set overrides its profile's value.
/// </summary>
public sealed class SwimSection
{
    public const string DefaultProfile = "fast";

    public int Port { get; set; } = 7946;
    /// <summary>Address the SWIM socket binds; unset: the silo's advertised address.</summary>
    public string? BindAddress { get; set; }
    /// <summary><c>host:port</c> of members to join through; empty starts a new cluster.</summary>
    public List<string> Seeds { get; set; } = [];
    /// <summary>Base64 AES keys (16, 24 or 32 bytes): the first encrypts, all decrypt (rotation).</summary>
    public List<string> Keys { get; set; } = [];
    /// <summary>
    /// Lets a silo whose SWIM socket binds a non-loopback address run without <see cref="Keys"/>: anyone who reaches the
    /// port could then forge members and verdicts. Logged as a warning at every start.
    /// </summary>
    public bool AllowUnauthenticated { get; set; }
    /// <summary>CIDR networks member addresses in received messages must be in; empty: the /24 around this silo and each seed.</summary>
    public List<string> AllowedNetworks { get; set; } = [];
    /// <summary><c>lan</c>, <c>fast</c> or <c>wan</c> (see <see cref="SwimProfiles"/>).</summary>
    public string Profile { get; set; } = DefaultProfile;
    public int? ProbeIntervalMs { get; set; }
    public int? ProbeTimeoutMs { get; set; }
    public int? IndirectChecks { get; set; }
    public int? SuspicionMult { get; set; }
    public int? RetransmitMult { get; set; }
    public int? PushPullIntervalMs { get; set; }
    public int? GossipIntervalMs { get; set; }
    public int JoinTimeoutMs { get; set; } = 30_000;
    /// <summary>Chaos testing only: share (0..100 %) of SWIM UDP datagrams dropped at random, in and out.</summary>
    public double InjectLossPercent { get; set; }

    /// <summary>The profile's settings with the keys that are set applied; null for an unknown profile name.</summary>
    public SwimSettings? Settings()
    {
        if (SwimProfiles.Find(Profile) is not { } profile) return null;
        static TimeSpan? Ms(int? ms) => ms is { } v ? TimeSpan.FromMilliseconds(v) : null;
        return profile with
        {
            ProbeInterval = Ms(ProbeIntervalMs) ?? profile.ProbeInterval,
            ProbeTimeout = Ms(ProbeTimeoutMs) ?? profile.ProbeTimeout,
            IndirectChecks = IndirectChecks ?? profile.IndirectChecks,
            SuspicionMult = SuspicionMult ?? profile.SuspicionMult,
            RetransmitMult = RetransmitMult ?? profile.RetransmitMult,
            PushPullInterval = Ms(PushPullIntervalMs) ?? profile.PushPullInterval,
            GossipInterval = Ms(GossipIntervalMs) ?? profile.GossipInterval,
        };
    }

    /// <summary>
    /// Whether SWIM would run unauthenticated on a socket that more than this machine can reach: no keys, and the bind
    /// address (or the advertised one it defaults to) is neither a loopback address nor <c>localhost</c>.
    /// </summary>
    public bool IsOpenBeyondLoopback(string advertisedAddress)
    {
        if (Keys.Count > 0) return false;
        var bind = BindAddress ?? advertisedAddress;
        if (string.Equals(bind, "localhost", StringComparison.OrdinalIgnoreCase)) return false;
        return !(System.Net.IPAddress.TryParse(bind, out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }

    /// <summary>The SWIM library's options for a silo advertised at <paramref name="advertisedAddress"/>.</summary>
    public SwimClusteringOptions ToClustering(string advertisedAddress) => ApplyTo(new SwimClusteringOptions(), advertisedAddress);

    /// <summary>Sets the SWIM library's options from these (milliseconds become time spans): the one mapping between the two.</summary>
    public SwimClusteringOptions ApplyTo(SwimClusteringOptions swim, string advertisedAddress)
    {
        swim.Port = Port;
        swim.BindAddress = BindAddress ?? advertisedAddress;
        swim.AdvertiseHost = advertisedAddress;
        swim.Seeds = [.. Seeds];
        swim.Keys = [.. Keys];
        swim.AllowedNetworks = [.. AllowedNetworks];
        swim.JoinTimeout = TimeSpan.FromMilliseconds(JoinTimeoutMs);
        swim.InjectedLossPercent = InjectLossPercent;
        swim.Settings = Settings() ?? throw new ArgumentException($"Heck:Swim:Profile must be one of {string.Join(", ", SwimProfiles.Names)} (was '{Profile}')");
        return swim;
    }
}
