using System.Collections.Concurrent;

namespace Heck.Grains.Origins;

/// <summary>The origins that have a probing activation on this silo, for the ownership reconciler.</summary>
public sealed class LocalOrigins
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public void Add(string id) => _ids[id] = 0;

    public void Remove(string id) => _ids.TryRemove(id, out _);

    /// <summary>Raised when an activation went away that nobody asked to leave (see <see cref="MarkLost"/>).</summary>
    public event Action? Lost;

    /// <summary>
    /// An activation of a registered origin went away without a handoff, a removal or the silo
    /// stopping (e.g. Orleans deactivated it because a dead silo held its directory entry): the
    /// reconciler activates it again at once instead of at its next periodic pass.
    /// </summary>
    public void MarkLost(string id)
    {
        Remove(id);
        Lost?.Invoke();
    }

    public bool Contains(string id) => _ids.ContainsKey(id);

    public IReadOnlyList<string> Snapshot() => _ids.Keys.ToList();

    public int Count => _ids.Count;
}
