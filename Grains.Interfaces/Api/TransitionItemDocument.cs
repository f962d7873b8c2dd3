using Heck.Health;
using Heck.Replication;

namespace Heck.Api;

/// <summary>
/// One transition as the HTTP API shows it (<c>/transitions</c> items, <c>/api/watch</c> events), with
/// its stamp: items of one origin come in stamp order, the same on every silo.
/// </summary>
public sealed record TransitionItemDocument(
    string OriginId, DateTimeOffset At, HealthStatus From, HealthStatus To, string Reason, StampDocument Stamp)
{
    public static TransitionItemDocument Of(string originId, HealthTransition t, TransitionStamp stamp) =>
        new(originId, t.At, t.From, t.To, t.Reason, StampDocument.From(stamp));

    public static TransitionItemDocument Of(StampedTransition t) => Of(t.OriginId, t.Transition, t.Stamp);
}

/// <summary>
/// A <see cref="TransitionStamp"/>: ordered by <c>generation</c> (the origin's registration), then
/// <c>hlc</c> (<c>wallMs</c>, then <c>counter</c>), then <c>dot</c> (<c>replica</c>, then <c>counter</c>).
/// </summary>
public sealed record StampDocument(long Generation, HlcDocument Hlc, DotDocument Dot)
{
    public static StampDocument From(TransitionStamp s) =>
        new(s.Generation, new HlcDocument(s.Hlc.WallMs, s.Hlc.Counter), new DotDocument(s.Dot.Replica.ToString(), s.Dot.Counter));
}

public sealed record HlcDocument(long WallMs, int Counter);

/// <summary>The write that recorded a transition: <c>replica</c> is the observing silo generation (<c>host:port@generation</c>).</summary>
public sealed record DotDocument(string Replica, long Counter);

/// <summary>The body of <c>GET /api/origins/{id}/transitions</c>.</summary>
public sealed record TransitionListDocument(IReadOnlyList<TransitionItemDocument> Items);
