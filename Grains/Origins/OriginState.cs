using Heck.Origins;

namespace Heck.Grains.Origins;

/// <summary>What an origin grain persists: the spec and when it was first registered.</summary>
[GenerateSerializer, Alias("heck.OriginState")]
public sealed class OriginState
{
    [Id(0)] public OriginSpec? Spec { get; set; }
    [Id(1)] public DateTimeOffset RegisteredAt { get; set; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
}
