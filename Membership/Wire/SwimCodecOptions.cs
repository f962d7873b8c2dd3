namespace Heck.Membership.Wire;

/// <summary>Limits of the codec; defaults fit a 1500-byte MTU and a generous push-pull.</summary>
public sealed record SwimCodecOptions
{
    /// <summary>Largest UDP packet accepted or produced (1400).</summary>
    public int MaxDatagramBytes { get; init; } = 1400;
    /// <summary>Largest TCP frame (push-pull of a big cluster; 4 MiB).</summary>
    public int MaxStreamBytes { get; init; } = 4 << 20;
    /// <summary>Encrypted packets must be stamped within this of our clock (30 s; see <see cref="ReplayGuard"/>).</summary>
    public TimeSpan ReplayWindow { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Nonces remembered for replay detection (65536).</summary>
    public int ReplayCapacity { get; init; } = 65536;
}
