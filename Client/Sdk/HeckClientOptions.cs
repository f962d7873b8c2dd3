using Microsoft.Extensions.Logging;

namespace Heck.Client;

/// <summary>How <see cref="HeckClient.ConnectAsync"/> reaches a Heck cluster.</summary>
public sealed class HeckClientOptions
{
    /// <summary>Silo client gateways as <c>host:port</c> (see <see cref="GatewayAddress"/>). Host names are resolved once, on connect.</summary>
    public IList<string> Gateways { get; set; } = [$"127.0.0.1:{GatewayAddress.DefaultPort}"];

    public string ClusterId { get; set; } = "heck";

    public string ServiceId { get; set; } = "heck";

    /// <summary>How long to keep trying to reach a gateway before <see cref="HeckConnectionException"/>.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a single call waits for the cluster's answer.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The least severe Orleans log message that is written to <see cref="LogWriter"/>.</summary>
    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Where Orleans' log messages go, one line each; null means standard error.</summary>
    public TextWriter? LogWriter { get; set; }

    /// <summary>The parsed gateways; throws an <see cref="ArgumentException"/> naming the first bad value.</summary>
    internal IReadOnlyList<GatewayAddress> Validate()
    {
        if (Gateways is null || Gateways.Count == 0)
            throw new ArgumentException("at least one gateway is required", nameof(Gateways));
        if (string.IsNullOrWhiteSpace(ClusterId))
            throw new ArgumentException("the cluster id must not be empty", nameof(ClusterId));
        if (string.IsNullOrWhiteSpace(ServiceId))
            throw new ArgumentException("the service id must not be empty", nameof(ServiceId));
        if (ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"the connect timeout must be positive (was {ConnectTimeout})", nameof(ConnectTimeout));
        if (ResponseTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"the response timeout must be positive (was {ResponseTimeout})", nameof(ResponseTimeout));
        return Gateways.Select(GatewayAddress.Parse).ToList();
    }
}
