using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Heck.Grains.Placement;

public static class RendezvousPlacementExtensions
{
    /// <summary>The configuration key of this silo's relative capacity (default 1).</summary>
    public const string WeightKey = "Heck:Placement:Weight";

    /// <summary>
    /// Registers <see cref="RendezvousPlacement"/> and its director the way Orleans registers its own
    /// (a keyed strategy and a keyed director), and publishes this silo's <c>Heck:Placement:Weight</c>
    /// as silo metadata so other silos rank it with the same weight. Call on every silo. Clients need
    /// nothing: they never place grains, and the strategy's serializer ships with this assembly.
    /// </summary>
    /// <summary>Registers <see cref="SiloPinnedPlacement"/> for per-silo grains. Call on every silo.</summary>
    public static ISiloBuilder AddSiloPinnedPlacement(this ISiloBuilder silo)
    {
        if (!silo.Services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, typeof(SiloPinnedPlacement))))
            silo.Services.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        return silo;
    }

    public static ISiloBuilder AddRendezvousPlacement(this ISiloBuilder silo)
    {
        var services = silo.Services;
        if (services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, typeof(RendezvousPlacement)))) return silo;
        services.AddPlacementDirector<RendezvousPlacement, RendezvousPlacementDirector>();

        var text = silo.Configuration[WeightKey];
        double weight = 1;
        if (text is not null && !RendezvousPlacementDirector.TryParseWeight(text, out weight))
            throw new InvalidOperationException($"{WeightKey} must be a finite number > 0, not '{text}'");
        if (services.Any(d => d.ServiceType == typeof(ISiloMetadataCache)))
        {
            // UseSiloMetadata was already called (it must not be called twice); its metadata comes from
            // Orleans:Metadata, so the weight has to be there.
            if (weight != 1 && silo.Configuration[$"Orleans:Metadata:{RendezvousPlacementDirector.WeightMetadataKey}"] is null)
                throw new InvalidOperationException(
                    $"Silo metadata is already configured: set Orleans:Metadata:{RendezvousPlacementDirector.WeightMetadataKey} instead of {WeightKey}");
            return silo;
        }
        // Every silo needs the metadata service, also at weight 1, so that others can fetch from it.
        return silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [RendezvousPlacementDirector.WeightMetadataKey] = weight.ToString("R", CultureInfo.InvariantCulture),
        });
    }
}
