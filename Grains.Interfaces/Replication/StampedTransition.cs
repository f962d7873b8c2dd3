using Heck.Health;

namespace Heck.Replication;

/// <summary>One transition of one origin with its place in the origin's causal order.</summary>
[GenerateSerializer, Alias("heck.StampedTransition"), Immutable]
public sealed record StampedTransition(
    [property: Id(0)] string OriginId,
    [property: Id(1)] TransitionStamp Stamp,
    [property: Id(2)] HealthTransition Transition);
