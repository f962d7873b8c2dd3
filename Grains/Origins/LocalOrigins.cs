using System.Collections.Concurrent;

namespace Heck.Grains.Origins;

/// <summary>
/// The origins that have a probing activation on this silo, for the ownership reconciler. Each
/// entry belongs to the activation that added it: while the directory settles after a membership
/// change, a duplicate activation of an origin can deactivate after the one that stays has
/// started, and it must not take the survivor's entry with it.
/// </summary>
public sealed class LocalOrigins
{
    private readonly ConcurrentDictionary<string, object> _ids = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="activation"/> probes origin <paramref name="id"/> here.</summary>
    public void Add(string id, object activation) => _ids[id] = activation;

    /// <summary>Forgets <paramref name="id"/> if <paramref name="activation"/> is the one that probes it.</summary>
    public void Remove(string id, object activation) => _ids.TryRemove(KeyValuePair.Create(id, activation));

    /// <summary>Forgets <paramref name="id"/> whoever added it (the origin left the registry).</summary>
    public void Remove(string id) => _ids.TryRemove(id, out _);

    /// <summary>Raised when an activation went away that nobody asked to leave (see <see cref="MarkLost"/>).</summary>
    public event Action? Lost;

    /// <summary>
    /// An activation of a registered origin went away without a handoff, a removal or the silo
    /// stopping (e.g. Orleans deactivated it because a dead silo held its directory entry): the
    /// reconciler activates it again at once instead of at its next periodic pass.
    /// </summary>
    public void MarkLost(string id, object activation)
    {
        Remove(id, activation);
        Lost?.Invoke();
    }

    public bool Contains(string id) => _ids.ContainsKey(id);

    public IReadOnlyList<string> Snapshot() => _ids.Keys.ToList();

    public int Count => _ids.Count;
}
