namespace Heck.Health;

/// <summary>A change of an origin's status, with the observation that caused it.</summary>
[GenerateSerializer, Alias("heck.HealthTransition"), Immutable]
public sealed record HealthTransition(
    [property: Id(0)] DateTimeOffset At, [property: Id(1)] HealthStatus From,
    [property: Id(2)] HealthStatus To, [property: Id(3)] string Reason);
