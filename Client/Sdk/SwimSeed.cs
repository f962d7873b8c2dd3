namespace Heck.Client.Sdk;

/// <summary>
/// A silo's SWIM endpoint as the user writes it (<c>host:port</c>, <c>1.2.3.4:port</c>, <c>[::1]:port</c>), through
/// which a client finds the cluster's gateways. The port may be left out, then it is <see cref="DefaultPort"/>.
/// </summary>
public static class SwimSeed
{
    /// <summary>The silo's default SWIM port (<c>Heck:Swim:Port</c>).</summary>
    public const int DefaultPort = 7946;

    /// <summary>Parses <paramref name="text"/> into <c>host:port</c> (IPv6 in brackets); false with the reason when invalid.</summary>
    public static bool TryParse(string? text, out string seed, out string? error)
    {
        seed = "";
        var s = text?.Trim() ?? "";
        // The gateway syntax is the same; only the default port differs, so supply SWIM's when there is none.
        if (s.Length > 0 && !HasPort(s)) s = s.Contains(':') && !s.StartsWith('[') ? $"[{s}]:{DefaultPort}" : $"{s}:{DefaultPort}";
        if (!GatewayAddress.TryParse(s, out var address, out error))
        {
            error = error?.Replace("host:port", "host:port (a silo's SWIM endpoint)", StringComparison.Ordinal);
            return false;
        }
        seed = address.ToString();
        return true;
    }

    private static bool HasPort(string s) =>
        s.StartsWith('[') ? s.Contains("]:", StringComparison.Ordinal) : s.Count(c => c == ':') == 1;
}
