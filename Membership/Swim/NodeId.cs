namespace Heck.Membership.Swim;

/// <summary>Where a SWIM agent listens (UDP and TCP share the port).</summary>
public readonly record struct SwimEndpoint(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// A member: its SWIM endpoint plus a generation. A restarted process is a new generation, so
/// "dead" can be final for a generation (Orleans' rule) while the endpoint is reused.
/// Hosts compare ordinally: use one canonical spelling (e.g. the IP literal) per node.
/// </summary>
public readonly record struct NodeId(string Host, int Port, long Generation)
{
    /// <summary>Longest host in UTF-8 bytes (DNS names are at most 253).</summary>
    public const int MaxHostBytes = 255;

    public SwimEndpoint Endpoint => new(Host, Port);

    public bool SameEndpoint(NodeId other) => Port == other.Port && string.Equals(Host, other.Host, StringComparison.Ordinal);

    public bool SameEndpoint(SwimEndpoint endpoint) => Port == endpoint.Port && string.Equals(Host, endpoint.Host, StringComparison.Ordinal);

    public override string ToString() => $"{Host}:{Port}@{Generation}";

    /// <summary>Null when valid, else why not (used for our own id and seeds; the decoder checks the same bounds).</summary>
    public static string? Check(string? host, int port)
    {
        if (string.IsNullOrEmpty(host)) return "host is empty";
        if (System.Text.Encoding.UTF8.GetByteCount(host) > MaxHostBytes) return $"host is longer than {MaxHostBytes} bytes";
        if (port is < 1 or > 65535) return $"port {port} is outside 1..65535";
        return null;
    }
}
