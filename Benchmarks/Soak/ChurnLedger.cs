namespace Heck.Benchmarks.Soak;

/// <summary>
/// What the churn expects of each churned origin, and the resurrection check, on timestamps it is given (pure, so
/// the races between requests and reads can be tested). An operation counts from when its request is sent: while
/// a create or delete is in flight a silo may already show its effect, so that origin is not judged, and only a
/// list read wholly after a delete's acknowledgement can see the origin gone.
/// </summary>
internal sealed class ChurnLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (bool Exists, long AckTs)> _state = [];
    private readonly Dictionary<string, long> _inFlight = [];
    private readonly HashSet<string> _uncertain = [];
    private readonly HashSet<(int Node, string Id)> _seenGone = [];

    /// <summary>A request to create (or delete) <paramref name="id"/> is about to be sent.</summary>
    public void Sending(string id, long ts)
    {
        lock (_gate)
        {
            _inFlight.TryAdd(id, ts);
            _seenGone.RemoveWhere(g => g.Id == id);
        }
    }

    /// <summary>A silo acknowledged the operation: the origin's expected state from <paramref name="ts"/>.</summary>
    public void Acknowledged(string id, bool exists, long ts)
    {
        lock (_gate)
        {
            _state[id] = (exists, ts);
            _inFlight.Remove(id);
            _uncertain.Remove(id);
            _seenGone.RemoveWhere(g => g.Id == id);
        }
    }

    /// <summary>No silo acknowledged it: its outcome is unknown and it is left out of the checks.</summary>
    public void GaveUp(string id)
    {
        lock (_gate)
        {
            _inFlight.Remove(id);
            _uncertain.Add(id);
        }
    }

    /// <summary>Origins that should exist now (acknowledged create, not deleted since), acknowledged at or before <paramref name="ackedBy"/>.</summary>
    public List<string> Existing(long ackedBy)
    {
        lock (_gate)
            return _state.Where(s => s.Value.Exists && !_uncertain.Contains(s.Key) && s.Value.AckTs <= ackedBy)
                .Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Origins deleted (acknowledged) and not re-created since, nor being re-created.</summary>
    public List<string> Deleted()
    {
        lock (_gate)
            return _state.Where(s => !s.Value.Exists && !_uncertain.Contains(s.Key) && !_inFlight.ContainsKey(s.Key))
                .Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
    }

    public List<string> Live()
    {
        lock (_gate) return [.. _state.Where(s => s.Value.Exists && !_uncertain.Contains(s.Key)).Select(s => s.Key).Order(StringComparer.Ordinal)];
    }

    public List<string> Uncertain()
    {
        lock (_gate) return [.. _uncertain.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// A full list that silo <paramref name="node"/> gave, read from <paramref name="startTs"/>: returns the deleted
    /// origins it lists again after having listed them gone (each with its delete's acknowledgement), which are
    /// resurrections. An origin with a request in flight is not judged: the request may already have landed.
    /// </summary>
    public List<(string Id, long DeletedAt)> Observe(int node, long startTs, IReadOnlyCollection<string> listed)
    {
        List<(string, long)> resurrected = [];
        lock (_gate)
            foreach (var (id, (exists, ackTs)) in _state)
            {
                if (exists || _uncertain.Contains(id) || _inFlight.ContainsKey(id) || startTs < ackTs) continue;
                if (!listed.Contains(id)) _seenGone.Add((node, id));
                else if (_seenGone.Remove((node, id))) resurrected.Add((id, ackTs));
            }
        return resurrected;
    }
}
