using Heck.Membership.Swim;
using Orleans.Runtime;

namespace Heck.Membership.Orleans;

/// <summary>One member of the SWIM view in the API's words (status joining|alive|suspect|leaving|left|dead).</summary>
public sealed record SwimMemberView(
    string Address, int Generation, uint Incarnation, string Status, string? Gateway, string? Name, string Swim);

public static class SwimMemberViews
{
    /// <summary>This silo's SWIM view of the Orleans silos, sorted by address; empty before membership starts.</summary>
    public static IReadOnlyList<SwimMemberView> Describe(this SwimMembership membership)
    {
        if (membership.View is not { } view) return [];
        var members = new List<SwimMemberView>();
        foreach (var m in view.Members)
        {
            if (OrleansMember.TryParse(m.Metadata) is not { } silo) continue;
            var endpoint = silo.Silo.Endpoint;
            members.Add(new SwimMemberView(
                $"{endpoint.Address}:{endpoint.Port}",
                silo.Silo.Generation,
                m.Incarnation,
                StatusOf(m.Status, silo.Status),
                silo.ProxyPort > 0 ? $"{endpoint.Address}:{silo.ProxyPort}" : null,
                silo.SiloName,
                $"{m.Node.Host}:{m.Node.Port}"));
        }
        return members.OrderBy(m => m.Address, StringComparer.Ordinal).ThenBy(m => m.Generation).ToList();
    }

    private static string StatusOf(MemberStatus swim, SiloStatus orleans) => swim switch
    {
        MemberStatus.Dead => "dead",
        MemberStatus.Left => "left",
        MemberStatus.Suspect => "suspect",
        _ => orleans switch
        {
            SiloStatus.Created or SiloStatus.Joining or SiloStatus.None => "joining",
            SiloStatus.ShuttingDown or SiloStatus.Stopping => "leaving",
            SiloStatus.Dead => "left",
            _ => "alive",
        },
    };
}
