using Heck.Origins;

namespace Heck.Health;

/// <summary>An origin as readers see it: its spec and its current health.</summary>
[GenerateSerializer, Alias("heck.OriginView"), Immutable]
public sealed record OriginView([property: Id(0)] OriginSpec Spec, [property: Id(1)] HealthView Health)
{
    /// <summary>The prober slot (silo generation, <c>host:port@generation</c>) whose observation this is.</summary>
    [Id(2)] public string? ObservedBy { get; init; }
    /// <summary>When that observation was made (its hybrid logical clock's wall time).</summary>
    [Id(3)] public DateTimeOffset? ObservedAt { get; init; }
    /// <summary>When the answering silo's replica received it: staleness is visible.</summary>
    [Id(4)] public DateTimeOffset? ReplicatedAt { get; init; }
}

/// <summary>
/// A transition of one origin, numbered in the order the reading silo showed it: per origin that is
/// the order of <see cref="Stamp"/>, which every silo agrees on.
/// </summary>
[GenerateSerializer, Alias("heck.TransitionEvent"), Immutable]
public sealed record TransitionEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] string OriginId,
    [property: Id(2)] HealthTransition Transition)
{
    /// <summary>The transition's place in its origin's causal order.</summary>
    [Id(3)] public Heck.Replication.TransitionStamp Stamp { get; init; }
}

/// <summary>Transitions after a sequence number, and the number to ask from next time.</summary>
[GenerateSerializer, Alias("heck.TransitionPage"), Immutable]
public sealed record TransitionPage(
    [property: Id(0)] long Next,
    [property: Id(1)] IReadOnlyList<TransitionEvent> Events);
