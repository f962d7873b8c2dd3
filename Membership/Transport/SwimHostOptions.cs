using System.Net;
using Heck.Membership.Swim;
using Heck.Membership.Wire;

namespace Heck.Membership.Transport;

/// <summary>Where and how a <see cref="SwimHost"/> runs.</summary>
public sealed record SwimHostOptions
{
    /// <summary>Address the UDP socket and TCP listener bind to (loopback by default; use Any in production with <see cref="AdvertiseHost"/>).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;
    /// <summary>Host others reach us at (part of our <see cref="NodeId"/>); default: the bind address, which then must not be Any.</summary>
    public string? AdvertiseHost { get; init; }
    /// <summary>UDP and TCP port (7946, memberlist's); 0 picks a free one.</summary>
    public int Port { get; init; } = 7946;
    /// <summary>Generation of this process; default: Unix milliseconds at start, so a restart is a new generation.</summary>
    public long? Generation { get; init; }
    public Metadata Metadata { get; init; } = Metadata.Empty;
    public SwimSettings Settings { get; init; } = new();
    /// <summary>When set, every packet is AES-GCM encrypted and authenticated; packets without it are dropped.</summary>
    public Keyring? Keyring { get; init; }
    public SwimCodecOptions Codec { get; init; } = new();
    /// <summary>Seed of the protocol's randomness (tests); null seeds from the system.</summary>
    public int? RandomSeed { get; init; }
    /// <summary>How long <see cref="SwimHost.LeaveAsync"/> keeps gossiping the leave before closing (1 s).</summary>
    public TimeSpan LeavePropagation { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Connect/read/write limit of one TCP exchange (push-pull; 2 s).</summary>
    public TimeSpan TcpTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Concurrent outgoing and incoming TCP exchanges; more are dropped (64).</summary>
    public int MaxTcpConnections { get; init; } = 64;
    /// <summary>
    /// Concurrent incoming TCP exchanges from one source address (16): one host, however many sockets it opens, cannot
    /// take every slot and keep joins and push-pulls of the others out.
    /// </summary>
    public int MaxTcpConnectionsPerSource { get; init; } = 16;
    /// <summary>How long an accepted connection may take to send its frame's length (500 ms); idle ones are closed.</summary>
    public TimeSpan TcpHandshakeTimeout { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>
    /// Chaos testing: the share (0..100 %) of UDP datagrams thrown away at random, outgoing and incoming alike,
    /// counted as <see cref="DropReason.Injected"/>. TCP (push-pull) is not affected. 0 (default) drops nothing.
    /// </summary>
    public double InjectedLossPercent { get; init; }
    /// <summary>
    /// Networks that member addresses in received messages must be in (<see cref="AddressPolicy"/>); null: the networks
    /// around the advertised host, the bind address and the seeds (<see cref="AddressPolicy.Around"/>).
    /// </summary>
    public IReadOnlyList<IPNetwork>? AllowedNetworks { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = Settings.Validate().ToList();
        if (Port is < 0 or > 65535) errors.Add($"{nameof(Port)} must be 0..65535.");
        if (AdvertiseHost is null && (BindAddress.Equals(IPAddress.Any) || BindAddress.Equals(IPAddress.IPv6Any)))
            errors.Add($"{nameof(AdvertiseHost)} is required when {nameof(BindAddress)} is a wildcard.");
        if (AdvertiseHost is { } host && NodeId.Check(host, 1) is { } error) errors.Add($"{nameof(AdvertiseHost)}: {error}.");
        if (Settings.MaxDatagramBytes > Codec.MaxDatagramBytes) errors.Add($"Settings.{nameof(SwimSettings.MaxDatagramBytes)} must not exceed Codec.{nameof(SwimCodecOptions.MaxDatagramBytes)}.");
        if (LeavePropagation < TimeSpan.Zero) errors.Add($"{nameof(LeavePropagation)} must not be negative.");
        if (TcpTimeout <= TimeSpan.Zero) errors.Add($"{nameof(TcpTimeout)} must be positive.");
        if (MaxTcpConnections < 1) errors.Add($"{nameof(MaxTcpConnections)} must be at least 1.");
        if (MaxTcpConnectionsPerSource < 1) errors.Add($"{nameof(MaxTcpConnectionsPerSource)} must be at least 1.");
        if (TcpHandshakeTimeout <= TimeSpan.Zero || TcpHandshakeTimeout > TcpTimeout) errors.Add($"{nameof(TcpHandshakeTimeout)} must be positive and at most {nameof(TcpTimeout)}.");
        if (!(InjectedLossPercent is >= 0 and <= 100)) errors.Add($"{nameof(InjectedLossPercent)} must be between 0 and 100 (was {InjectedLossPercent}).");
        return errors;
    }
}
