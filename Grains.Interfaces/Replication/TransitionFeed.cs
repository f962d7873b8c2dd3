namespace Heck.Replication;

/// <summary>
/// Turns the successive states of one replica into the transitions a watcher is shown, per origin
/// in <see cref="TransitionStamp"/> order, the same order on every silo.
/// <list type="bullet">
/// <item>A transition is shown only once its origin is live here in the generation it was observed
/// for: one that arrives before its registration waits in the replica state (which keeps it anyway)
/// and is shown when the registration arrives. So no watcher sees an origin that <c>GET</c> answers 404 for.</item>
/// <item>A transition that arrives after a newer one of the same origin was shown (a record that
/// took a slower path, e.g. the old owner's last one after a handoff) is dropped and counted in
/// <see cref="Late"/>: shown, it would tell the watcher an outdated status last.</item>
/// </list>
/// Memory: the newest shown stamp per live origin, nothing else (what waits is in the state, which
/// bounds it per slot, <see cref="SlotRecord.MaxTransitions"/>); a removed origin is forgotten, safe
/// because its next generation sorts after everything shown. Not thread-safe: the caller serialises.
/// </summary>
public sealed class TransitionFeed
{
    private readonly Dictionary<string, TransitionStamp> _newest = new(StringComparer.Ordinal);

    /// <summary>Transitions dropped because a newer one of their origin had been shown already.</summary>
    public long Late { get; private set; }

    /// <summary>Origins whose newest shown stamp is remembered: at most the live origins.</summary>
    public int Tracked => _newest.Count;

    /// <summary>
    /// An origin's kept transitions in stamp order: those of its current generation, none when it is
    /// not live in <paramref name="state"/>.
    /// </summary>
    public static IReadOnlyList<StampedTransition> Current(ReplicaState state, string originId)
    {
        if (state.Registry.Get(originId) is not { IsTombstone: false } entry) return [];
        var items = new List<StampedTransition>();
        foreach (var record in state.Health.Slots(originId).Values)
        {
            if (record.Generation != entry.Generation || record.Transitions.IsDefault) continue;
            foreach (var t in record.Transitions)
                items.Add(new StampedTransition(originId, new TransitionStamp(record.Generation, t.Hlc, t.Dot), t.Transition));
        }
        items.Sort((a, b) => a.Stamp.CompareTo(b.Stamp));
        return items;
    }

    /// <summary>
    /// What to show now that the replica went from <paramref name="before"/> to <paramref name="after"/>,
    /// looking at <paramref name="originIds"/> (those the change touched): per origin, oldest first.
    /// </summary>
    public IReadOnlyList<StampedTransition> Advance(ReplicaState before, ReplicaState after, IEnumerable<string> originIds)
    {
        List<StampedTransition>? shown = null;
        foreach (var id in originIds.Distinct(StringComparer.Ordinal))
        {
            if (after.Registry.Get(id) is not { IsTombstone: false })
            {
                _newest.Remove(id);
                continue;
            }
            var known = _newest.TryGetValue(id, out var newest);
            foreach (var t in Current(after, id))
            {
                if (known && t.Stamp <= newest)
                {
                    // Shown already, or new here but older than what was shown: counted once, when its dot arrives.
                    if (!before.Version.Contains(t.Stamp.Dot) && after.Version.Contains(t.Stamp.Dot)) Late++;
                    continue;
                }
                (shown ??= []).Add(t);
                newest = t.Stamp;
                known = true;
            }
            if (known) _newest[id] = newest;
        }
        return shown ?? (IReadOnlyList<StampedTransition>)[];
    }
}
