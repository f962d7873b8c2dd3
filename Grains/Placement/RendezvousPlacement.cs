using Orleans.Placement;

namespace Heck.Grains.Placement;

/// <summary>
/// Places a grain on the compatible silo that ranks first for its key by rendezvous hashing
/// (<see cref="RendezvousRanking"/>), so every silo computes the same owner without coordination.
/// </summary>
[Serializable, GenerateSerializer, Immutable, Alias("heck.placement.rendezvous")]
public sealed class RendezvousPlacement : PlacementStrategy
{
    internal static RendezvousPlacement Singleton { get; } = new();
}

/// <summary>Marks a grain class as placed by <see cref="RendezvousPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RendezvousPlacementAttribute() : PlacementAttribute(RendezvousPlacement.Singleton);
