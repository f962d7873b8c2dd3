using Heck.Health;
using Heck.Replication;

namespace Heck.Origins;

/// <summary>
/// One origin, keyed by its id: holds the spec (persisted) and, on its owner silo, the probe schedule
/// and the health state machine.
/// </summary>
[Alias("heck.IOriginGrain")]
public interface IOriginGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the origin. The spec is validated again; nothing changes on errors.</summary>
    [Alias("Configure")]
    Task<ConfigureResult> Configure(OriginSpec spec);

    /// <summary>
    /// <see cref="Configure"/> only when <paramref name="condition"/> admits the current spec's tag; otherwise
    /// nothing changes and the result says so, with the current tag.
    /// </summary>
    [Alias("ConfigureIf")]
    Task<ConfigureResult> ConfigureIf(OriginSpec spec, WriteCondition condition);

    /// <summary>Removes the origin and stops probing it. False when it did not exist.</summary>
    [Alias("Remove")]
    Task<bool> Remove();

    /// <summary><see cref="Remove"/> only when <paramref name="condition"/> admits the current spec's tag.</summary>
    [Alias("RemoveIf")]
    Task<RemoveResult> RemoveIf(WriteCondition condition);

    /// <summary>The origin as its owner knows it, or null when it is not registered.</summary>
    [Alias("GetView")]
    Task<OriginView?> GetView();

    /// <summary>The newest observations, oldest first (at most 100).</summary>
    [Alias("GetObservations")]
    Task<IReadOnlyList<Observation>> GetObservations();

    /// <summary>
    /// Asks the activation to leave this silo because another silo now owns the origin
    /// (the ownership reconciler calls it); it migrates to its owner once idle.
    /// </summary>
    [Alias("Handoff")]
    Task Handoff();

    /// <summary>
    /// The owner's view (as <see cref="GetView"/>) with the token of the registry entry it reflects: the
    /// coordinated read (<see cref="ReadLevel.Owner"/>), answered by the owning activation.
    /// </summary>
    [Alias("ReadOwned")]
    Task<OwnedRead> ReadOwned();

    /// <summary>Every kept transition, oldest first.</summary>
    [Alias("GetTransitions")]
    Task<IReadOnlyList<HealthTransition>> GetTransitions();
}

/// <summary>The outcome of <see cref="IOriginGrain.Configure"/>.</summary>
[GenerateSerializer, Alias("heck.ConfigureResult"), Immutable]
public sealed record ConfigureResult(
    [property: Id(0)] bool Created,
    [property: Id(1)] OriginView? View,
    [property: Id(2)] IReadOnlyList<FieldError> Errors,
    [property: Id(3)] bool ConditionFailed = false,
    [property: Id(4)] string? CurrentETag = null)
{
    /// <summary>What a reader must have seen to see this write (see <see cref="CausalToken"/>); empty when nothing was written.</summary>
    [Id(5)] public CausalToken Token { get; init; } = CausalToken.Empty;

    /// <summary>Set when a valid write was refused by a limit (<c>Heck:Limits</c>); nothing changed.</summary>
    [Id(6)] public AdmissionRefusal? Refused { get; init; }
}

/// <summary>The outcome of <see cref="IOriginGrain.ReadOwned"/>: null view when the origin is not registered.</summary>
[GenerateSerializer, Alias("heck.OwnedRead"), Immutable]
public sealed record OwnedRead([property: Id(0)] OriginView? View, [property: Id(1)] CausalToken Token);
