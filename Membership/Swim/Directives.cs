namespace Heck.Membership.Swim;

/// <summary>Send <paramref name="Message"/> to <paramref name="To"/>; <paramref name="Reliable"/> means over TCP (push-pull).</summary>
public readonly record struct Send(SwimEndpoint To, SwimMessage Message, bool Reliable);

/// <summary>
/// A member's status changed in the local view. <paramref name="Old"/> is null for a member seen for the
/// first time; Old == New means its incarnation or metadata changed.
/// </summary>
public sealed record MemberStatusChanged(NodeId Node, MemberStatus? Old, MemberStatus New, Metadata Metadata);

/// <summary>What the host must do after feeding an event into <see cref="SwimInstance"/>.</summary>
public sealed class Directives
{
    public static Directives None { get; } = new([], [], false, false, []);

    internal Directives(IReadOnlyList<Send> messages, IReadOnlyList<MemberStatusChanged> changes, bool selfDeclaredDead, bool joined, IReadOnlyList<SwimEndpoint> rejoinHints)
    {
        Messages = messages;
        Changes = changes;
        SelfDeclaredDead = selfDeclaredDead;
        Joined = joined;
        RejoinHints = rejoinHints;
    }

    public IReadOnlyList<Send> Messages { get; }
    public IReadOnlyList<MemberStatusChanged> Changes { get; }
    /// <summary>This node learned the cluster declared it dead: the host must stop (and restart as a new generation).</summary>
    public bool SelfDeclaredDead { get; }
    /// <summary>
    /// With <see cref="SelfDeclaredDead"/>: SWIM endpoints to rejoin through as a new generation, best first (the
    /// member whose verdict won, the members this node held dead, that is likely the side that won, then live
    /// members and the seeds). Empty otherwise. The same list stays in <see cref="SwimInstance.RejoinHints"/>.
    /// </summary>
    public IReadOnlyList<SwimEndpoint> RejoinHints { get; }
    /// <summary>The join completed with this event (a seed answered, or there were no seeds).</summary>
    public bool Joined { get; }
    public bool IsEmpty => Messages.Count == 0 && Changes.Count == 0 && !SelfDeclaredDead && !Joined;
}

/// <summary>Collects one call's output; reused so that quiet ticks allocate nothing.</summary>
internal sealed class DirectivesBuilder
{
    private readonly List<Send> _messages = [];
    private readonly List<MemberStatusChanged> _changes = [];
    private bool _selfDeclaredDead;
    private bool _joined;
    private IReadOnlyList<SwimEndpoint> _rejoinHints = [];

    public bool HasMessages => _messages.Count > 0;
    public void Send(SwimEndpoint to, SwimMessage message, bool reliable = false) => _messages.Add(new(to, message, reliable));
    public void Changed(MemberStatusChanged change) => _changes.Add(change);
    public void DeclaredDead(IReadOnlyList<SwimEndpoint> hints)
    {
        _selfDeclaredDead = true;
        _rejoinHints = hints;
    }
    public void Joined() => _joined = true;

    /// <summary>Every message leaves stamped with <paramref name="side"/>, the sender's side at the end of the call.</summary>
    public Directives Build(Side side)
    {
        if (_messages.Count == 0 && _changes.Count == 0 && !_selfDeclaredDead && !_joined) return Directives.None;
        var messages = _messages.Count == 0 ? [] : new Send[_messages.Count];
        for (var i = 0; i < _messages.Count; i++) messages[i] = _messages[i] with { Message = _messages[i].Message with { Side = side } };
        var result = new Directives(messages, _changes.Count == 0 ? [] : _changes.ToArray(), _selfDeclaredDead, _joined, _rejoinHints);
        _messages.Clear();
        _changes.Clear();
        _selfDeclaredDead = _joined = false;
        _rejoinHints = [];
        return result;
    }
}
