namespace Heck.Health;

/// <summary>The health part of an origin as readers see it.</summary>
[GenerateSerializer, Alias("heck.HealthView"), Immutable]
public sealed record HealthView
{
    [Id(0)] public HealthStatus Status { get; init; }
    /// <summary>When the origin entered <see cref="Status"/> (registration time while unknown).</summary>
    [Id(1)] public DateTimeOffset Since { get; init; }
    [Id(2)] public DateTimeOffset? LastProbeAt { get; init; }
    [Id(3)] public double? LastLatencyMs { get; init; }
    [Id(4)] public string? LastError { get; init; }
    /// <summary>The silo that probes the origin, as <c>host:siloPort</c>.</summary>
    [Id(5)] public string? Owner { get; init; }
    [Id(6)] public int ConsecutiveSuccesses { get; init; }
    [Id(7)] public int ConsecutiveFailures { get; init; }
    [Id(8)] public int? LastStatusCode { get; init; }
    /// <summary>While unhealthy: the probers (owner and confirmers) whose failures made it so.</summary>
    [Id(9)] public IReadOnlyList<string>? ConfirmedBy { get; init; }
    /// <summary>
    /// Set by reads only (<see cref="Staleness"/>): the freshest observation is older than the
    /// origin's staleness bound, so <see cref="Status"/> reads <see cref="HealthStatus.Unknown"/>.
    /// </summary>
    [Id(10)] public bool Stale { get; init; }
    /// <summary>Set by reads only: how old the freshest observation was when read; null when never observed.</summary>
    [Id(11)] public long? AgeMs { get; init; }

    public static HealthView Initial(DateTimeOffset since, string? owner) =>
        new() { Status = HealthStatus.Unknown, Since = since, Owner = owner };
}
