using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Heck.Grains.Placement;

/// <summary>
/// Places a grain on the silo named by its key (<see cref="SiloAddress.ToParsableString"/>) and
/// nowhere else: for per-silo grains such as the replica, which must never be re-placed onto
/// another silo when theirs is gone.
/// </summary>
[Serializable, GenerateSerializer, Immutable, Alias("heck.placement.silo-pinned")]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    internal static SiloPinnedPlacement Singleton { get; } = new();

    public static string KeyOf(SiloAddress silo) => silo.ToParsableString();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacement.Singleton);

public sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        SiloAddress wanted;
        try
        {
            wanted = SiloAddress.FromParsableString(key);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            throw new OrleansException($"Grain {target.GrainIdentity} is pinned to a silo, but its key '{key}' names none", ex);
        }
        foreach (var silo in context.GetCompatibleSilos(target))
            if (silo.Equals(wanted)) return Task.FromResult(silo);
        throw new OrleansException($"Grain {target.GrainIdentity} is pinned to silo {wanted}, which is not an active compatible silo");
    }
}
