using Heck.Api;
using Heck.Replication;

namespace Heck.Origins;

/// <summary>
/// An HTTP write's preconditions (<c>If-Match</c>, <c>If-None-Match</c>; empty when absent), checked by the
/// origin's grain against its current spec in the same turn as the write, so two conditional writes cannot both
/// pass on one version.
/// </summary>
[GenerateSerializer, Alias("heck.WriteCondition"), Immutable]
public sealed record WriteCondition([property: Id(0)] string IfMatch, [property: Id(1)] string IfNoneMatch)
{
    /// <summary>A condition that holds only while the origin's tag is <paramref name="etag"/>.</summary>
    public static WriteCondition Unchanged(string etag) => new(etag, "");

    public bool IsEmpty => IfMatch.Length == 0 && IfNoneMatch.Length == 0;

    /// <summary>Whether the write may go ahead on an origin whose current tag is <paramref name="current"/> (null: none).</summary>
    public bool Admits(string? current) =>
        (IfMatch.Length == 0 || OriginETag.IfMatch(IfMatch, current)) &&
        (IfNoneMatch.Length == 0 || OriginETag.IfNoneMatch(IfNoneMatch, current));
}

/// <summary>The outcome of <see cref="IOriginGrain.RemoveIf"/>.</summary>
[GenerateSerializer, Alias("heck.RemoveResult"), Immutable]
public sealed record RemoveResult(
    [property: Id(0)] bool Removed,
    [property: Id(1)] bool ConditionFailed,
    [property: Id(2)] string? CurrentETag)
{
    /// <summary>What a reader must have seen to see the removal; empty when nothing was removed.</summary>
    [Id(3)] public CausalToken Token { get; init; } = CausalToken.Empty;
}
