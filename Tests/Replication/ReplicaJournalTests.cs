using Heck.Grains.Replica;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Heck.Tests.Replication;

/// <summary>The replica's SQLite journal: what a restart finds, and that it does not grow with history.</summary>
public sealed class ReplicaJournalTests : IDisposable
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private readonly TempDirectory _dir = new();
    private readonly ManualTime _time = new(History.Epoch);
    private readonly List<RegistryJournal> _journals = [];

    public void Dispose()
    {
        foreach (var j in _journals) j.Dispose();
        _dir.Dispose();
    }

    private sealed class FakeSilo(int generation) : ILocalSiloDetails
    {
        public string Name => "silo";
        public string ClusterId => "test";
        public string DnsHostName => "localhost";
        public SiloAddress SiloAddress { get; } = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), generation);
        public SiloAddress GatewayAddress => SiloAddress;
    }

    private (LocalReplica Replica, RegistryJournal Journal) Start(int generation, int retentionMs = 60_000)
    {
        var journal = new RegistryJournal(_dir.Path, Serializer);
        _journals.Add(journal);
        var options = Options.Create(new GossipOptions { AntiEntropyIntervalMs = 1000, ReplicaRetentionMs = retentionMs });
        var replica = new LocalReplica(new FakeSilo(generation), journal, _time, NullLogger<LocalReplica>.Instance, options);
        replica.Load();
        return (replica, journal);
    }

    private static OriginSpec Spec(string id) => new() { Id = id, Url = $"http://{id}/" };

    [Fact]
    public void Rows_of_removed_origins_go_once_their_tombstones_are_pruned()
    {
        var (replica, journal) = Start(1);
        for (var i = 0; i < 20; i++) replica.Upsert(Spec($"o{i}"));
        for (var i = 0; i < 20; i++) replica.Remove($"o{i}");
        replica.Upsert(Spec("kept"));
        Assert.Equal(21, journal.RowCount());
        var everything = replica.Version;
        replica.Prune(new HashSet<ReplicaId>(), everything);
        Assert.Equal(1, journal.RowCount());

        journal.Dispose();
        var (again, _) = Start(2);
        Assert.Equal(["kept"], again.LiveIds);
        Assert.Single(again.State.Registry.Entries);
    }

    [Fact]
    public void A_journal_within_the_retention_is_loaded_with_the_peers_it_gossiped_with()
    {
        var (replica, journal) = Start(1);
        replica.Upsert(Spec("a"));
        var peer = new ReplicaId("127.0.0.2:11111", 5);
        replica.StampActive([peer]);
        journal.Dispose();
        _time.Advance(30_000);
        var (again, _) = Start(2);
        Assert.False(again.IsHoldingBackJournal);
        Assert.Equal(["a"], again.LiveIds);
        Assert.Equal([peer], again.FormerPeers);
    }

    [Fact]
    public void A_journal_older_than_the_retention_is_held_back_then_discarded_or_adopted()
    {
        var (replica, journal) = Start(1);
        replica.Upsert(Spec("deleted-elsewhere"));
        replica.StampActive([new ReplicaId("127.0.0.2:11111", 5)]);
        journal.Dispose();
        _time.Advance(60_000);

        var (held, heldJournal) = Start(2);
        Assert.True(held.IsHoldingBackJournal);
        Assert.Empty(held.LiveIds);      // neither served nor gossiped
        Assert.Empty(held.FormerPeers);  // long gone too
        held.StampActive();              // a crash now must find the journal as old as it was
        heldJournal.Dispose();
        var (stillHeld, stillJournal) = Start(3);
        Assert.True(stillHeld.IsHoldingBackJournal);

        // A peer's state arrives: the cluster's registry replaces the journal's.
        var (peerState, delta) = ReplicaState.Empty.UpsertSpec(Spec("current"), new ReplicaId("127.0.0.2:11111", 5), new HlcClock(_time));
        stillHeld.Apply(peerState.DeltaSince(VersionVector.Empty));
        stillHeld.DiscardJournal();
        Assert.False(stillHeld.IsHoldingBackJournal);
        Assert.Equal(["current"], stillHeld.LiveIds);
        Assert.Equal(1, stillJournal.RowCount());
        Assert.NotEmpty(delta.Specs);

        // Adopted when nobody has anything: a whole cluster back after a long stop keeps its registry.
        stillJournal.Dispose();
        _time.Advance(120_000);
        var (lonely, _) = Start(4);
        Assert.True(lonely.IsHoldingBackJournal);
        lonely.AdoptJournal();
        Assert.Equal(["current"], lonely.LiveIds);
    }

    [Fact]
    public void Retention_is_validated_against_the_anti_entropy_interval()
    {
        var validator = new GossipOptionsValidator();
        Assert.True(validator.Validate(null, new GossipOptions()).Succeeded);
        var tooShort = validator.Validate(null, new GossipOptions { AntiEntropyIntervalMs = 2000, ReplicaRetentionMs = 19_999 });
        Assert.Contains(tooShort.Failures!, f => f.Contains("Heck:Gossip:ReplicaRetentionMs", StringComparison.Ordinal));
        Assert.True(validator.Validate(null, new GossipOptions { AntiEntropyIntervalMs = 200, ReplicaRetentionMs = 2000 }).Succeeded);
    }
}
