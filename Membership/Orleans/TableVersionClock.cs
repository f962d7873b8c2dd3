using Heck.Membership.Swim;

namespace Heck.Membership.Orleans;

/// <summary>
/// The Orleans table version of one silo's successive SWIM views: the sum of each member's term (1 + 4·incarnation +
/// SWIM status rank + Orleans status rank, which rises with every change of the member that a read can show) plus
/// the highest retired weight any member publishes (<c>o.r</c>). Members leave the view when their tombstone expires,
/// which would make the sum fall, and Orleans ignores a table whose version is lower than one it has seen. So when a
/// member this clock counted is gone, this silo raises its own retired weight above every published one by the
/// member's last term and publishes it: the version never falls here, and since it is a function of the view
/// (apart from our own weight until our metadata update lands), silos whose views are equal report equal versions,
/// which the grain directory needs (it waits until its membership reaches a peer's version). Two silos expiring one
/// member both add its term, so the weight may rise by more than needed; it still converges, as a max.
/// Not thread-safe: the table calls it under a lock.
/// </summary>
internal sealed class TableVersionClock
{
    private Dictionary<NodeId, long> _terms = [];
    private long _highest; // the highest retired weight the last view showed (ours included)

    /// <summary>This silo's retired weight, to publish in its metadata.</summary>
    public long Retired { get; private set; }

    /// <summary>The version of <paramref name="view"/>; <paramref name="raised"/> when <see cref="Retired"/> rose (publish it).</summary>
    public long Next(SwimView view, out bool raised)
    {
        var terms = new Dictionary<NodeId, long>(view.Members.Count);
        long sum = 0;
        var highest = Retired;
        foreach (var member in view.Members)
        {
            var orleans = OrleansMember.TryParse(member.Metadata);
            var term = 1 + 4L * member.Incarnation + (int)member.Status + (orleans is { } o ? 1 + (int)o.Status : 0);
            terms[member.Node] = term;
            sum += term;
            if (orleans is { Retired: var r } && r > highest) highest = r;
        }
        long gone = 0;
        foreach (var (node, term) in _terms)
        {
            if (!terms.ContainsKey(node)) gone += term;
        }
        raised = gone > 0;
        if (raised)
        {
            Retired = Math.Min(OrleansMember.MaxRetired, Math.Max(highest, _highest) + gone);
            highest = Retired;
        }
        _terms = terms;
        _highest = highest;
        return sum + highest;
    }
}
