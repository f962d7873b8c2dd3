using System.Net;
using Heck.Membership.Swim;
using Heck.Membership.Wire;

namespace Heck.Membership.Orleans;

/// <summary>SWIM clustering of an Orleans silo (see <c>Membership/Orleans/README.md</c>).</summary>
public sealed class SwimClusteringOptions
{
    /// <summary>UDP and TCP port of the SWIM agent (7946, memberlist's); 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 7946;

    /// <summary>Address the SWIM sockets bind to; an IP literal ("0.0.0.0": every interface).</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// Host other members reach this one at. Default: the bind address, or, when that is a wildcard, the IP
    /// address of the Orleans silo (<c>ConfigureEndpoints</c>' advertised address).
    /// </summary>
    public string? AdvertiseHost { get; set; }

    /// <summary>SWIM endpoints ("host:port", "[v6]:port") of members to join through; empty starts a new cluster.</summary>
    public IList<string> Seeds { get; set; } = new List<string>();

    /// <summary>Protocol tuning (probe interval, timeouts, suspicion, gossip, push-pull).</summary>
    public SwimSettings Settings { get; set; } = new();

    /// <summary>Base64 AES keys (16, 24 or 32 bytes); the first encrypts, all decrypt. Empty: no encryption.</summary>
    public IList<string> Keys { get; set; } = new List<string>();

    /// <summary>
    /// CIDR networks ("10.0.0.0/16") that member addresses in received messages must be in; a message naming any other
    /// address, or a host name that is not a seed's, is dropped and counted. Empty: the /24 (IPv6: /64) around this
    /// member's advertised address and each seed, all of 127.0.0.0/8 on loopback.
    /// </summary>
    public IList<string> AllowedNetworks { get; set; } = new List<string>();

    /// <summary>How long silo start waits for a seed to answer before failing (30 s).</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often Orleans re-reads the SWIM view (<c>ClusterMembershipOptions.TableRefreshTimeout</c>; 1 s).</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a leaving silo keeps gossiping its departure before closing its sockets (1 s).</summary>
    public TimeSpan LeavePropagation { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Chaos testing only: share (0..100 %) of SWIM UDP datagrams dropped at random, in and out (0: none).</summary>
    public double InjectedLossPercent { get; set; }

    /// <summary>Every problem, each naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        const string prefix = nameof(SwimClusteringOptions) + ".";
        var errors = new List<string>();
        if (Port is < 0 or > 65535) errors.Add($"{prefix}{nameof(Port)} ({Port}) must be 0..65535.");
        if (!IPAddress.TryParse(BindAddress ?? "", out _))
            errors.Add($"{prefix}{nameof(BindAddress)} ('{BindAddress}') must be an IP address such as 0.0.0.0 or 127.0.0.1.");
        if (AdvertiseHost is not null && NodeId.Check(AdvertiseHost, 1) is { } hostError)
            errors.Add($"{prefix}{nameof(AdvertiseHost)} ('{AdvertiseHost}'): {hostError}.");
        errors.AddRange(SeedList.Validate(Seeds, prefix + nameof(Seeds)));
        errors.AddRange(KeyList.Validate(Keys, prefix + nameof(Keys)));
        for (var i = 0; i < (AllowedNetworks?.Count ?? 0); i++)
            if (!IPNetwork.TryParse(AllowedNetworks![i] ?? "", out _))
                errors.Add($"{prefix}{nameof(AllowedNetworks)}[{i}] ('{AllowedNetworks[i]}') must be a network in CIDR form such as 10.0.0.0/16.");
        if (Settings is null) errors.Add($"{prefix}{nameof(Settings)} must be set.");
        else errors.AddRange(Settings.Validate().Select(e => $"{prefix}{nameof(Settings)}.{e}"));
        if (JoinTimeout <= TimeSpan.Zero) errors.Add($"{prefix}{nameof(JoinTimeout)} must be positive.");
        if (TableRefreshTimeout <= TimeSpan.Zero) errors.Add($"{prefix}{nameof(TableRefreshTimeout)} must be positive.");
        if (LeavePropagation < TimeSpan.Zero) errors.Add($"{prefix}{nameof(LeavePropagation)} must not be negative.");
        if (!(InjectedLossPercent is >= 0 and <= 100))
            errors.Add($"{prefix}{nameof(InjectedLossPercent)} ({InjectedLossPercent}) must be between 0 and 100.");
        return errors;
    }

    internal void ThrowIfInvalid()
    {
        if (Validate() is { Count: > 0 } errors) throw new ArgumentException(string.Join(" ", errors));
    }

    internal IReadOnlyList<(string Host, int Port)> ParsedSeeds() => SeedList.Parse(Seeds);

    internal IReadOnlyList<IPNetwork>? ParsedAllowedNetworks() =>
        AllowedNetworks is { Count: > 0 } networks ? [.. networks.Select(n => IPNetwork.Parse(n))] : null;
}

/// <summary>Where an Orleans client finds gateways: any SWIM member of the cluster, asked for its view.</summary>
public sealed class SwimGatewayOptions
{
    /// <summary>SWIM endpoints ("host:port") of silos; at least one.</summary>
    public IList<string> Seeds { get; set; } = new List<string>();

    /// <summary>The cluster's base64 keys when it encrypts its SWIM traffic (<c>Heck:Swim:Keys</c>).</summary>
    public IList<string> Keys { get; set; } = new List<string>();

    /// <summary>Limit of one view request (connect, send, wait for the answer; 3 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the client refreshes its gateway list (also <c>GatewayOptions.GatewayListRefreshPeriod</c>; 10 s).</summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<string> Validate()
    {
        const string prefix = nameof(SwimGatewayOptions) + ".";
        var errors = new List<string>();
        if (Seeds is null || Seeds.Count == 0) errors.Add($"{prefix}{nameof(Seeds)} must name at least one silo's SWIM endpoint (host:port).");
        else errors.AddRange(SeedList.Validate(Seeds, prefix + nameof(Seeds)));
        errors.AddRange(KeyList.Validate(Keys, prefix + nameof(Keys)));
        if (RequestTimeout <= TimeSpan.Zero) errors.Add($"{prefix}{nameof(RequestTimeout)} must be positive.");
        if (RefreshPeriod <= TimeSpan.Zero) errors.Add($"{prefix}{nameof(RefreshPeriod)} must be positive.");
        return errors;
    }

    internal void ThrowIfInvalid()
    {
        if (Validate() is { Count: > 0 } errors) throw new ArgumentException(string.Join(" ", errors));
    }
}

internal static class SeedList
{
    public static IEnumerable<string> Validate(IList<string>? seeds, string name)
    {
        if (seeds is null) yield break;
        for (var i = 0; i < seeds.Count; i++)
        {
            if (TryParse(seeds[i], out _, out _, out var error)) continue;
            yield return $"{name}[{i}] ('{seeds[i]}') {error}.";
        }
    }

    public static IReadOnlyList<(string Host, int Port)> Parse(IEnumerable<string>? seeds)
    {
        var list = new List<(string, int)>();
        foreach (var seed in seeds ?? [])
        {
            if (!TryParse(seed, out var host, out var port, out var error)) throw new ArgumentException($"Seed '{seed}' {error}.");
            list.Add((host, port));
        }
        return list;
    }

    /// <summary>A seed as <see cref="TryParse"/> reads it: "host:port", or "[v6-address]:port".</summary>
    public static string Format(string host, int port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>"host:port" or "[v6-address]:port".</summary>
    public static bool TryParse(string? text, out string host, out int port, out string error)
    {
        host = "";
        port = 0;
        error = "must be host:port";
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        var hostPart = text[..colon];
        if (hostPart.StartsWith('[') && hostPart.EndsWith(']')) hostPart = hostPart[1..^1];
        else if (hostPart.Contains(':')) { error = "must be host:port (write IPv6 addresses as [address]:port)"; return false; }
        if (!int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p))
        {
            error = "must end with a numeric port";
            return false;
        }
        if (NodeId.Check(hostPart, p) is { } check)
        {
            error = $"is invalid: {check}";
            return false;
        }
        host = hostPart;
        port = p;
        return true;
    }
}

internal static class KeyList
{
    public static IEnumerable<string> Validate(IList<string>? keys, string name)
    {
        if (keys is null) yield break;
        for (var i = 0; i < keys.Count; i++)
        {
            var bytes = new byte[((keys[i] ?? "").Length * 3 / 4) + 3];
            if (!Convert.TryFromBase64String(keys[i] ?? "", bytes, out var length))
            {
                yield return $"{name}[{i}] is not valid base64.";
                continue;
            }
            if (length is not (16 or 24 or 32)) yield return $"{name}[{i}] decodes to {length} bytes; AES keys are 16, 24 or 32 bytes.";
        }
    }

    public static Keyring? Create(IList<string>? keys) => keys is { Count: > 0 } ? Keyring.FromBase64(keys) : null;
}
