namespace Heck.Silo.Cluster;

/// <summary>The seeds a new generation joins through: the configured ones, then the peers its predecessor knew.</summary>
public static class RejoinSeeds
{
    /// <summary>
    /// <paramref name="configured"/> first (the operator's choice), then each of <paramref name="peers"/> not already
    /// listed and not this silo's own SWIM endpoint <paramref name="self"/>, each once (configured seeds stay as they are). A peer list matters most to a
    /// silo without configured seeds (the cluster's first): without it, its rejoin would start a cluster of its own.
    /// </summary>
    public static List<string> Merge(IEnumerable<string> configured, IEnumerable<string> peers, string self)
    {
        var seeds = configured.ToList();
        var seen = new HashSet<string>(seeds.Select(s => s.Trim()), StringComparer.OrdinalIgnoreCase) { self };
        foreach (var peer in peers)
            if (seen.Add(peer.Trim())) seeds.Add(peer.Trim());
        return seeds;
    }

    /// <summary>A SWIM endpoint as seeds spell it: "host:port", "[v6-address]:port".</summary>
    public static string Endpoint(string host, int port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
}
