namespace Heck.Membership.Swim;

// Expiry: a Dead or Left generation leaves the view DeadRetention after it became final here, so push-pulls and
// join replies stay as small as the live cluster plus its recent deaths. Its identity is then remembered, never
// shipped, for ExpiredMemoryMult more retentions: a peer that learned the death later still ships it until its own
// retention ends, and without the memory that old state would bring the generation back as a fresh tombstone.
public sealed partial class SwimInstance
{
    /// <summary>How many retentions an expired identity is remembered (a peer that heard of the death up to three retentions after us).</summary>
    internal const int ExpiredMemoryMult = 4;

    // Expired identity → when it may be forgotten. Bounded by the deaths of the last ExpiredMemoryMult retentions.
    private readonly Dictionary<NodeId, TimeSpan> _expired = [];
    private readonly HashSet<NodeId> _expiring = [];
    private readonly List<NodeId> _forgetting = [];
    private TimeSpan _nextExpiryAt;

    /// <summary>Expired identities still remembered (for tests: the memory is bounded).</summary>
    internal int ExpiredCount => _expired.Count;

    /// <summary>Whether <paramref name="node"/> expired from the view recently: news of it is ignored.</summary>
    private bool IsExpired(NodeId node) => _expired.ContainsKey(node);

    private void ExpiryTick(TimeSpan now)
    {
        if (now < _nextExpiryAt) return;
        _nextExpiryAt = now + _settings.ProbeInterval;
        _expiring.Clear();
        foreach (var m in _members.Values)
        {
            if (m != _self && m.FinalAt is { } at && now - at >= _settings.DeadRetention) _expiring.Add(m.Node);
        }
        if (_expiring.Count > 0)
        {
            var forgetAt = now + _settings.DeadRetention * ExpiredMemoryMult;
            foreach (var node in _expiring)
            {
                _members.Remove(node);
                _expired[node] = forgetAt;
            }
            _broadcasts.RemoveAll(_expiring);
            _scheduler.Remove(_expiring);
            // The view changed (members left it); the version rises by one, it never gives back their weight.
            _version++;
            _view = null;
        }
        if (_expired.Count == 0) return;
        _forgetting.Clear();
        foreach (var (node, until) in _expired)
        {
            if (now >= until) _forgetting.Add(node);
        }
        foreach (var node in _forgetting)
        {
            _expired.Remove(node);
            // The endpoint's newest generation is forgotten too, unless a newer one took its place.
            if (_latest.TryGetValue(node.Endpoint, out var newest) && newest == node) _latest.Remove(node.Endpoint);
        }
    }
}
