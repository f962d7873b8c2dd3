namespace Heck.Grains.Storage;

/// <summary>
/// Lists what a grain storage holds, so that a starting silo can reactivate every stored grain
/// of a type (e.g. every registered origin) without anyone calling them.
/// </summary>
public interface IStoredGrainIndex
{
    /// <summary>
    /// The keys (<c>GrainId.Key.ToString()</c>) of every stored grain whose type
    /// (<c>GrainId.Type.ToString()</c>, e.g. "origin") and state name match, in ordinal order.
    /// </summary>
    Task<IReadOnlyList<string>> ListKeysAsync(string grainType, string stateName, CancellationToken ct);
}
