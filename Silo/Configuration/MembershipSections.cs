using System.Net;
using Heck.Membership.Orleans;
using Heck.Membership.Swim;

namespace Heck.Silo.Configuration;

public enum MembershipProvider { Swim, AdoNet, Development }

/// <summary><c>Heck:Membership</c>: who decides which silos are in the cluster.</summary>
public sealed class MembershipSection
{
    /// <summary>Swim (default, no database), AdoNet (Orleans' table protocol on PostgreSQL), or Development (one primary silo).</summary>
    public MembershipProvider Provider { get; set; } = MembershipProvider.Swim;
    /// <summary>Development only: the primary silo's <c>host:siloPort</c>; unset means this silo is the primary.</summary>
    public string? PrimarySilo { get; set; }
}

/// <summary>
/// <c>Heck:Swim</c>: SWIM membership. Timing defaults are faster than memberlist's LAN profile
/// (probe 1 s, timeout 500 ms, suspicion multiplier 4, which detects a crash in ~5.5 s at 5 nodes)
/// so that a crash or a hang is found in about 2 s; the simulator showed no false deaths at 10 % loss.
/// </summary>
public sealed class SwimSection
{
    public int Port { get; set; } = 7946;
    /// <summary>Address the SWIM socket binds; unset: the silo's advertised address.</summary>
    public string? BindAddress { get; set; }
    /// <summary><c>host:port</c> of members to join through; empty starts a new cluster.</summary>
    public List<string> Seeds { get; set; } = [];
    /// <summary>Base64 AES keys (16, 24 or 32 bytes): the first encrypts, all decrypt (rotation).</summary>
    public List<string> Keys { get; set; } = [];
    public int ProbeIntervalMs { get; set; } = 500;
    public int ProbeTimeoutMs { get; set; } = 200;
    public int IndirectChecks { get; set; } = 3;
    public int SuspicionMult { get; set; } = 2;
    public int RetransmitMult { get; set; } = 4;
    public int PushPullIntervalMs { get; set; } = 30_000;
    public int GossipIntervalMs { get; set; } = 100;
    /// <summary>Confirmations that make a suspect dead, if fewer than a majority of live members.</summary>
    public int? MinConfirmations { get; set; }
    public int JoinTimeoutMs { get; set; } = 30_000;
    /// <summary>Chaos testing only: share (0..100 %) of SWIM UDP datagrams dropped at random, in and out.</summary>
    public double InjectLossPercent { get; set; }

    public IEnumerable<string> Validate(string advertisedAddress)
    {
        if (Port is < 1 or > 65535) yield return $"Heck:Swim:Port must be a port between 1 and 65535 (was {Port})";
        if (BindAddress is not null && !IPAddress.TryParse(BindAddress, out _)) yield return $"Heck:Swim:BindAddress must be an IP address (was '{BindAddress}')";
        static string? Range(string key, int value, int min, int max) =>
            value < min || value > max ? $"Heck:Swim:{key} must be between {min} and {max} (was {value})" : null;
        foreach (var e in new[]
        {
            Range("ProbeIntervalMs", ProbeIntervalMs, 50, 60_000), Range("ProbeTimeoutMs", ProbeTimeoutMs, 10, 60_000),
            Range("IndirectChecks", IndirectChecks, 0, 16), Range("SuspicionMult", SuspicionMult, 1, 32),
            Range("RetransmitMult", RetransmitMult, 1, 32), Range("PushPullIntervalMs", PushPullIntervalMs, 1000, 3_600_000),
            Range("GossipIntervalMs", GossipIntervalMs, 10, 60_000), Range("JoinTimeoutMs", JoinTimeoutMs, 1000, 600_000),
            MinConfirmations is { } m ? Range("MinConfirmations", m, 1, 1000) : null,
        })
            if (e is not null) yield return e;
        if (!(InjectLossPercent is >= 0 and <= 100))
            yield return $"Heck:Swim:InjectLossPercent must be a percentage between 0 and 100 (was {InjectLossPercent})";
        if (ProbeTimeoutMs >= ProbeIntervalMs) yield return $"Heck:Swim:ProbeTimeoutMs must be less than ProbeIntervalMs ({ProbeIntervalMs}) (was {ProbeTimeoutMs})";
        string[] detailed;
        try { detailed = [.. ToClustering(advertisedAddress).Validate()]; }
        catch (Exception ex) when (ex is ArgumentException or FormatException) { detailed = [ex.Message]; }
        // Seeds and keys are checked by the adapter; say it in Heck's keys.
        foreach (var e in detailed.Where(e => e.Contains("Seeds", StringComparison.Ordinal) || e.Contains("Keys", StringComparison.Ordinal)))
            yield return System.Text.RegularExpressions.Regex.Replace(
                e.Replace("SwimClusteringOptions.", "Heck:Swim:", StringComparison.Ordinal), @"\[(\d+)\]", ":$1");
    }

    public SwimClusteringOptions ToClustering(string advertisedAddress) => new()
    {
        Port = Port,
        BindAddress = BindAddress ?? advertisedAddress,
        AdvertiseHost = advertisedAddress,
        Seeds = [.. Seeds],
        Keys = [.. Keys],
        JoinTimeout = TimeSpan.FromMilliseconds(JoinTimeoutMs),
        InjectedLossPercent = InjectLossPercent,
        Settings = new SwimSettings
        {
            ProbeInterval = TimeSpan.FromMilliseconds(ProbeIntervalMs),
            ProbeTimeout = TimeSpan.FromMilliseconds(ProbeTimeoutMs),
            IndirectChecks = IndirectChecks,
            SuspicionMult = SuspicionMult,
            RetransmitMult = RetransmitMult,
            PushPullInterval = TimeSpan.FromMilliseconds(PushPullIntervalMs),
            GossipInterval = TimeSpan.FromMilliseconds(GossipIntervalMs),
            MinConfirmations = MinConfirmations,
        },
    };
}

/// <summary><c>Heck:AdoNet</c>: Orleans' table-based membership on PostgreSQL.</summary>
public sealed class AdoNetSection
{
    public string? ConnectionString { get; set; }
}
