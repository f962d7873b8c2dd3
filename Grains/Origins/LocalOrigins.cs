using System.Collections.Concurrent;

namespace Heck.Grains.Origins;

/// <summary>The origins that have a probing activation on this silo, for the ownership reconciler.</summary>
public sealed class LocalOrigins
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public void Add(string id) => _ids[id] = 0;

    public void Remove(string id) => _ids.TryRemove(id, out _);

    public bool Contains(string id) => _ids.ContainsKey(id);

    public IReadOnlyList<string> Snapshot() => _ids.Keys.ToList();

    public int Count => _ids.Count;
}
