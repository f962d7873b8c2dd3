using Orleans.Serialization;

namespace Heck.Tests.Replication;

/// <summary>The replicated types cross the wire intact through Orleans' serializer.</summary>
public sealed class SerializationTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(ReplicaState).Assembly))
        .BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private T RoundTrip<T>(T value)
    {
        var serializer = _services.GetRequiredService<Serializer>();
        return serializer.Deserialize<T>(serializer.SerializeToArray(value))!;
    }

    [Fact]
    public void State_and_deltas_survive_a_round_trip()
    {
        var h = History.Run([0, 0, 0, 0, 0, 1, 1, 1, 3, 0, 0, 4, 5, 0, 1, 0, 2, 1, 1, 0, 6, 0, 1, 2, 3, 2, 0, 5]);
        h.Set(2, h.States[2].Apply(h.Written[^1].Delta)); // leave an out-of-order dot behind
        foreach (var state in h.States)
        {
            var copy = RoundTrip(state);
            Assert.Equal(state, copy);
            Assert.Equal(state.Merge(h.States[0]), copy.Merge(h.States[0]));
            Assert.Equal(state.DeltaSince(VersionVector.Empty), RoundTrip(state.DeltaSince(VersionVector.Empty)));
        }
        Assert.Equal(h.Written[0].Delta, RoundTrip(h.Written[0].Delta));
        Assert.Equal(new Hlc(5, 6), RoundTrip(new Hlc(5, 6)));
    }

    [Fact]
    public void Vectors_keep_out_of_order_dots_and_registries_keep_ordinal_order()
    {
        var r = new ReplicaId("h:1", 3);
        var vector = VersionVector.Empty.Add(new Dot(r, 1)).Add(new Dot(r, 4));
        var copy = RoundTrip(vector);
        Assert.Equal(vector, copy);
        Assert.Equal(vector.Add(new Dot(r, 2)).Add(new Dot(r, 3)), copy.Add(new Dot(r, 3)).Add(new Dot(r, 2)));

        // Ordinal and culture order differ for these ids; a copy must still compare equal after more writes.
        var registry = new[] { "a", "B", "_" }.Aggregate(Registry.Empty, (reg, id) =>
            reg.Add(new RegistryEntry(id, 1, History.Spec(id, 0), new Hlc(1, 0), new Dot(r, 1))));
        var extra = new RegistryEntry("C", 1, History.Spec("C", 0), new Hlc(1, 0), new Dot(r, 2));
        Assert.Equal(registry.Add(extra), RoundTrip(registry).Add(extra));
        Assert.Equal(["B", "C", "_", "a"], RoundTrip(registry).Add(extra).Entries.Select(e => e.Id));
    }

    [Fact]
    public void Stamped_transitions_and_watch_events_keep_their_stamps()
    {
        var stamp = new TransitionStamp(7, new Hlc(5, 6), new Dot(new ReplicaId("h:1", 3), 9));
        var transition = new HealthTransition(DateTimeOffset.UnixEpoch, HealthStatus.Healthy, HealthStatus.Unhealthy, "503");
        Assert.Equal(new StampedTransition("o", stamp, transition), RoundTrip(new StampedTransition("o", stamp, transition)));
        var e = new TransitionEvent(4, "o", transition) { Stamp = stamp };
        Assert.Equal(stamp, RoundTrip(e).Stamp);
    }
}
