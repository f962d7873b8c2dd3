using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Heck.Grains.Placement;

/// <summary>
/// Ranks <c>context.GetCompatibleSilos(target)</c> by (grain key, silo identity) and places on the
/// first. A silo's identity is its endpoint (<c>ip:port</c>), without the generation, so a silo
/// restarted on the same endpoint takes back the keys it had; its weight is the
/// <c>Heck:Placement:Weight</c> it published as Orleans silo metadata (1 until that is known).
/// </summary>
public sealed class RendezvousPlacementDirector(IServiceProvider services) : IPlacementDirector
{
    /// <summary>The silo-metadata key under which each silo publishes its weight.</summary>
    public const string WeightMetadataKey = "heck.placement.weight";

    private readonly ISiloMetadataCache? _metadata = services.GetService<ISiloMetadataCache>();

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        // Honour explicit hints (e.g. a migration the ownership reconciler directs), as Orleans' directors do.
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, silos) is { } hint) return Task.FromResult(hint);
        if (silos.Length == 0) throw new OrleansException($"No compatible silo to place {target.GrainIdentity}");
        silos = Newest(silos);
        var nodes = new RendezvousNode[silos.Length];
        for (var i = 0; i < silos.Length; i++) nodes[i] = new RendezvousNode(IdentityOf(silos[i]), WeightOf(silos[i]));
        return Task.FromResult(silos[RendezvousRanking.OwnerIndex(KeyOf(target.GrainIdentity), nodes)]);
    }

    /// <summary>
    /// <paramref name="silos"/> ranked for <paramref name="key"/>, best first, exactly as placement
    /// ranks them: the owner, then the confirmers.
    /// </summary>
    public SiloAddress[] Rank(string key, IReadOnlyList<SiloAddress> silos)
    {
        if (silos.Count == 0) return [];
        var newest = Newest(silos as SiloAddress[] ?? silos.ToArray());
        var nodes = new RendezvousNode[newest.Length];
        for (var i = 0; i < newest.Length; i++) nodes[i] = new RendezvousNode(IdentityOf(newest[i]), WeightOf(newest[i]));
        return RendezvousRanking.Rank(key, nodes).Select(i => newest[i]).ToArray();
    }

    /// <summary>The owner of <paramref name="key"/> among <paramref name="silos"/>, as placement would choose.</summary>
    public SiloAddress? Owner(string key, IReadOnlyList<SiloAddress> silos) => Owners(silos)(key);

    /// <summary>
    /// Owners among one set of <paramref name="silos"/>, for many keys: the silos' identities and
    /// weights are read once, not per key (the ownership reconciler asks for every origin).
    /// </summary>
    public Func<string, SiloAddress?> Owners(IReadOnlyList<SiloAddress> silos)
    {
        if (silos.Count == 0) return _ => null;
        var newest = Newest(silos as SiloAddress[] ?? silos.ToArray());
        var nodes = new RendezvousNode[newest.Length];
        for (var i = 0; i < newest.Length; i++) nodes[i] = new RendezvousNode(IdentityOf(newest[i]), WeightOf(newest[i]));
        return key => newest[RendezvousRanking.OwnerIndex(key, nodes)];
    }

    /// <summary>The ranking key of a grain: its key as a string (the origin id for origin grains).</summary>
    public static string KeyOf(GrainId grain) => grain.Key.ToString() ?? "";

    /// <summary>The identity a silo is ranked by, the same string on every silo.</summary>
    public static string IdentityOf(SiloAddress silo) => silo.Endpoint.ToString();

    /// <summary>
    /// A silo's published weight, or 1 when it published none or its metadata is not fetched yet. In
    /// that short window after a join, silos may disagree on the owner; the ownership reconciler
    /// moves such activations once the weight is known. With equal weights this never arises.
    /// </summary>
    public double WeightOf(SiloAddress silo) =>
        _metadata?.GetSiloMetadata(silo).Metadata.TryGetValue(WeightMetadataKey, out var text) == true
        && TryParseWeight(text, out var weight) ? weight : 1;

    internal static bool TryParseWeight(string? text, out double weight) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out weight) && weight > 0 && double.IsFinite(weight);

    // Two generations on one endpoint share an identity; until the old one is declared dead, rank only the newer.
    private static SiloAddress[] Newest(SiloAddress[] silos)
    {
        List<SiloAddress>? kept = null;
        for (var i = 0; i < silos.Length; i++)
        {
            var superseded = false;
            for (var j = 0; j < silos.Length && !superseded; j++)
                superseded = j != i && silos[j].Endpoint.Equals(silos[i].Endpoint) && silos[j].Generation > silos[i].Generation;
            if (superseded) kept ??= silos[..i].ToList();
            else kept?.Add(silos[i]);
        }
        return kept?.ToArray() ?? silos;
    }
}
