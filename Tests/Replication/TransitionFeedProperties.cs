namespace Heck.Tests.Replication;

/// <summary>
/// The watch order: random histories (observations by several owners, i.e. handoffs, removals and
/// re-registrations) delivered to fresh replicas in random orders with duplicates, each replica
/// running its own <see cref="TransitionFeed"/>.
/// </summary>
public sealed class TransitionFeedProperties
{
    private const int Tests = 200;
    private const int Size = 400;
    private const int Observers = 3;

    /// <summary>A transition as written, with what its writer had seen just before.</summary>
    private sealed record Written(StampedTransition Transition, VersionVector Seen);

    private sealed record Shown(StampedTransition Transition, RegistryEntry? Registration);

    private sealed class Observer
    {
        public ReplicaState State = ReplicaState.Empty;
        public readonly TransitionFeed Feed = new();
        public readonly List<Shown> Shown = [];

        public void Apply(Delta delta)
        {
            var before = State;
            State = State.Apply(delta);
            var touched = delta.Specs.Select(e => e.Id).Concat(delta.Slots.Select(r => r.OriginId));
            foreach (var t in Feed.Advance(before, State, touched))
                Shown.Add(new Shown(t, State.Registry.Get(t.OriginId)));
        }

        public IEnumerable<StampedTransition> Of(string id) => Shown.Select(s => s.Transition).Where(t => t.OriginId == id);
    }

    private static (History History, List<Written> Written) Run(byte[]? script)
    {
        var h = new History(3);
        var written = new List<Written>();
        script ??= [];
        for (var i = 0; i + 3 < script.Length; i += 4)
        {
            var seen = h.States.Select(s => s.Version).ToArray();
            var count = h.Written.Count;
            h.Step(script[i], script[i + 1], script[i + 2], script[i + 3]);
            if (h.Written.Count == count) continue;
            var (writer, delta) = h.Written[^1];
            // The transition a slot write made is the one that carries the write's own dot.
            if (delta.Slots is [var record] && !record.Transitions.IsDefaultOrEmpty && record.Transitions[^1] is var t && t.Dot == record.Dot)
                written.Add(new Written(new StampedTransition(record.OriginId, new TransitionStamp(record.Generation, t.Hlc, t.Dot), t.Transition), seen[writer]));
        }
        return (h, written);
    }

    /// <summary>Every write, some twice, and deltas cut from random snapshots, in a random order.</summary>
    private static List<Observer> Deliver(History h, int seed)
    {
        var random = new Random(seed);
        var observers = Enumerable.Range(0, Observers).Select(_ => new Observer()).ToList();
        foreach (var o in observers)
        {
            var deltas = h.Written.Select(w => w.Delta).ToList();
            var order = deltas.Concat(deltas.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next()).ToList();
            foreach (var d in order)
            {
                o.Apply(d);
                if (random.Next(8) == 0) o.Apply(h.Snapshot(random.Next()).DeltaSince(o.State.Version));
            }
        }
        return observers;
    }

    private static IEnumerable<string> Origins => Enumerable.Range(0, History.OriginCount).Select(History.OriginId);

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void A_newer_transition_is_never_followed_by_an_older_one(byte[] script, int seed)
    {
        var (h, _) = Run(script);
        foreach (var o in Deliver(h, seed))
            foreach (var id in Origins)
            {
                var stamps = o.Of(id).Select(t => t.Stamp).ToList();
                for (var i = 1; i < stamps.Count; i++)
                    Assert.True(stamps[i - 1] < stamps[i], $"{id}: {stamps[i]} shown after {stamps[i - 1]}");
            }
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void A_transition_is_shown_only_while_its_registration_generation_is_live(byte[] script, int seed)
    {
        var (h, _) = Run(script);
        foreach (var o in Deliver(h, seed))
            Assert.All(o.Shown, s =>
            {
                Assert.NotNull(s.Registration);
                Assert.False(s.Registration!.IsTombstone);
                Assert.Equal(s.Registration.Generation, s.Transition.Stamp.Generation);
            });
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Every_replica_shows_an_origin_in_one_order_that_extends_happened_before(byte[] script, int seed)
    {
        var (h, written) = Run(script);
        // The stamp order extends happened-before: a transition its writer had seen sorts first.
        foreach (var a in written)
            foreach (var b in written)
                if (a.Transition.OriginId == b.Transition.OriginId && a.Transition.Stamp.Generation == b.Transition.Stamp.Generation &&
                    b.Seen.Contains(a.Transition.Stamp.Dot))
                    Assert.True(a.Transition.Stamp < b.Transition.Stamp, $"{b.Transition.Stamp} was written after seeing {a.Transition.Stamp}");

        var observers = Deliver(h, seed);
        foreach (var id in Origins)
        {
            var orders = observers.Select(o => o.Of(id).Select(t => t.Stamp).ToList()).ToList();
            foreach (var x in orders)
                foreach (var y in orders)
                {
                    // Two replicas may each have dropped late ones, never put the same two in different orders.
                    var common = x.Intersect(y).ToHashSet();
                    Assert.Equal(x.Where(common.Contains), y.Where(common.Contains));
                }
            foreach (var order in orders)
            {
                var position = order.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
                foreach (var a in written)
                    foreach (var b in written)
                        if (b.Seen.Contains(a.Transition.Stamp.Dot) && position.TryGetValue(a.Transition.Stamp, out var pa) &&
                            position.TryGetValue(b.Transition.Stamp, out var pb) && a.Transition.Stamp.Generation == b.Transition.Stamp.Generation)
                            Assert.True(pa < pb);
            }
        }
    }

    [FsCheck.Xunit.Property(MaxTest = Tests, EndSize = Size)]
    public void Replicas_that_got_everything_list_an_origin_alike(byte[] script, int seed)
    {
        var (h, _) = Run(script);
        var observers = Deliver(h, seed);
        foreach (var o in observers) o.Apply(h.Join().DeltaSince(o.State.Version));
        foreach (var id in Origins)
            Assert.All(observers, o => Assert.Equal(TransitionFeed.Current(observers[0].State, id), TransitionFeed.Current(o.State, id)));
    }
}
