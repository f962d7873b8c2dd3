using System.Text;

namespace Heck.Membership.Swim;

/// <summary>
/// Which side of a possible partition a message comes from: its sender's reach (1 + the members it holds
/// Alive and heard from directly within <see cref="SwimSettings.ReachWindowFor"/>) and a hash of its side's
/// leader (the smallest endpoint, ordinal host then port, among the sender and those members). A death verdict
/// must come from a side at least as strong as the receiver's (see <c>SwimInstance.Side.cs</c>). The default,
/// reach 0, is weaker than every member (a client's view request, an old packet).
/// </summary>
public readonly record struct Side(int Reach, ulong Leader)
{
    /// <summary>Larger reach wins; at equal reach the smaller leader hash (a deterministic tie-break for 2/2 splits).</summary>
    public bool Beats(Side other) => Reach != other.Reach ? Reach > other.Reach : Leader < other.Leader;

    /// <summary>FNV-1a over the host's UTF-8 bytes and the port: the same on every member, for every generation.</summary>
    public static ulong LeaderOf(SwimEndpoint endpoint)
    {
        const ulong prime = 1099511628211;
        var hash = 14695981039346656037;
        foreach (var b in Encoding.UTF8.GetBytes(endpoint.Host)) hash = (hash ^ b) * prime;
        hash = (hash ^ (byte)endpoint.Port) * prime;
        hash = (hash ^ (byte)(endpoint.Port >> 8)) * prime;
        return hash;
    }

    /// <summary>Ordinal host, then port: how the leader of a side is chosen.</summary>
    public static int Compare(SwimEndpoint a, SwimEndpoint b)
    {
        var c = string.CompareOrdinal(a.Host, b.Host);
        return c != 0 ? c : a.Port.CompareTo(b.Port);
    }

    public override string ToString() => $"reach {Reach} leader {Leader:x16}";
}
