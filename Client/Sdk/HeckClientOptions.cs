using Heck.Origins;
using Microsoft.Extensions.Logging;

namespace Heck.Client.Sdk;

/// <summary>How <see cref="HeckClient.ConnectAsync"/> reaches a Heck cluster.</summary>
public sealed class HeckClientOptions
{
    /// <summary>
    /// Silo client gateways as <c>host:port</c> (see <see cref="GatewayAddress"/>). Host names are resolved once, on connect.
    /// Not used when <see cref="Seeds"/> are given.
    /// </summary>
    public IList<string> Gateways { get; set; } = [$"127.0.0.1:{GatewayAddress.DefaultPort}"];

    /// <summary>
    /// SWIM endpoints of silos (<c>host:port</c>, the silos' <c>Heck:Swim:Port</c>; see <see cref="SwimSeed"/>). When any is
    /// given, the client asks them for the cluster's live gateways (and keeps the list fresh as silos come and go)
    /// instead of using <see cref="Gateways"/>.
    /// </summary>
    public IList<string> Seeds { get; set; } = [];

    /// <summary>With <see cref="Seeds"/>: the cluster's base64 SWIM keys (<c>Heck:Swim:Keys</c>) when it encrypts its SWIM traffic.</summary>
    public IList<string> Keys { get; set; } = [];

    public string ClusterId { get; set; } = "heck";

    /// <summary>
    /// The API token (as for the HTTP API's <c>Authorization: Bearer</c>), sent in the request context of every call;
    /// required when the cluster configures <c>Heck:Api:Tokens</c>. A refused call throws <see cref="UnauthorizedAccessException"/>.
    /// </summary>
    public string? Token { get; set; }

    public string ServiceId { get; set; } = "heck";

    /// <summary>How long to keep trying to reach a gateway before <see cref="HeckConnectionException"/>.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a single call waits for the cluster's answer.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The least severe Orleans log message that is written to <see cref="LogWriter"/>.</summary>
    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Where Orleans' log messages go, one line each; null means standard error.</summary>
    public TextWriter? LogWriter { get; set; }

    /// <summary>
    /// The level of reads that name none. Causal (the default) gives read-your-writes and monotonic reads across
    /// silos at the cost of a wait when the gateway silo lags; local never waits and may read older.
    /// </summary>
    public ReadLevel DefaultReadLevel { get; set; } = ReadLevel.Causal;

    /// <summary>
    /// The parsed gateways (none when <see cref="Seeds"/> are used) and seeds (<c>host:port</c>); throws an
    /// <see cref="ArgumentException"/> naming the first bad value.
    /// </summary>
    internal (IReadOnlyList<GatewayAddress> Gateways, IReadOnlyList<string> Seeds) Validate()
    {
        var useSeeds = Seeds is { Count: > 0 };
        if (!useSeeds && (Gateways is null || Gateways.Count == 0))
            throw new ArgumentException("at least one gateway (or SWIM seed) is required", nameof(Gateways));
        if (string.IsNullOrWhiteSpace(ClusterId))
            throw new ArgumentException("the cluster id must not be empty", nameof(ClusterId));
        if (string.IsNullOrWhiteSpace(ServiceId))
            throw new ArgumentException("the service id must not be empty", nameof(ServiceId));
        if (ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"the connect timeout must be positive (was {ConnectTimeout})", nameof(ConnectTimeout));
        if (ResponseTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"the response timeout must be positive (was {ResponseTimeout})", nameof(ResponseTimeout));
        foreach (var (key, i) in (Keys ?? []).Select((k, i) => (k, i)))
        {
            if (KeyError(key) is { } error) throw new ArgumentException($"SWIM key {i} {error}", nameof(Keys));
        }
        if (!useSeeds) return (Gateways!.Select(GatewayAddress.Parse).ToList(), []);
        var seeds = new List<string>();
        foreach (var seed in Seeds)
        {
            if (!SwimSeed.TryParse(seed, out var parsed, out var error)) throw new ArgumentException($"SWIM seed '{seed}' is invalid: {error}", nameof(Seeds));
            if (!seeds.Contains(parsed)) seeds.Add(parsed);
        }
        return ([], seeds);
    }

    /// <summary>Null when <paramref name="key"/> is a base64 AES key (16, 24 or 32 bytes), else why not.</summary>
    internal static string? KeyError(string? key)
    {
        var bytes = new byte[((key ?? "").Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(key ?? "", bytes, out var length)) return "is not valid base64";
        return length is 16 or 24 or 32 ? null : $"decodes to {length} bytes; AES keys are 16, 24 or 32 bytes";
    }
}
