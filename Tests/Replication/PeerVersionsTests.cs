namespace Heck.Tests.Replication;

/// <summary>What a replica sends a peer: only what the peer lacks, as far as it can tell.</summary>
public sealed class PeerVersionsTests
{
    private static readonly ReplicaId A = new("10.0.0.1:11111", 1), B = new("10.0.0.2:11111", 1), C = new("10.0.0.3:11111", 1);

    private static (ReplicaState State, Delta Delta) Add(ReplicaState state, ReplicaId writer, string id) =>
        state.UpsertSpec(History.Spec(id, 0), writer, new HlcClock(new ManualTime(1_000)));

    private static string[] Ids(Delta d) => [.. d.Specs.Select(s => s.Id).Order()];

    [Fact]
    public void A_peer_never_heard_from_gets_everything_but_its_own_writes()
    {
        // B holds writes of A and C (C's reached it first-hand, A's through C).
        var (_, fromA) = Add(ReplicaState.Empty, A, "a");
        var (_, fromC) = Add(ReplicaState.Empty, C, "c");
        var b = ReplicaState.Empty.Apply(fromC).Apply(fromA);

        var peers = new PeerVersions();
        Assert.Equal(["c"], Ids(b.DeltaSince(peers.CutFor(A, b.Version)))); // A's own write stays home
        Assert.Equal(["a"], Ids(b.DeltaSince(peers.CutFor(C, b.Version))));
        Assert.Equal(["a", "c"], Ids(b.DeltaSince(peers.CutFor(B, b.Version)))); // a joiner: all of it
        Assert.False(peers.TryGet(A, out _)); // cutting is not hearing
    }

    [Fact]
    public void What_a_peer_pushed_is_not_sent_back_to_it()
    {
        // C's write reaches B in a push from A, which states its vector: B must not echo it to A.
        var (_, fromC) = Add(ReplicaState.Empty, C, "c");
        var a = ReplicaState.Empty.Apply(fromC);
        var b = ReplicaState.Empty.Apply(a.DeltaSince(VersionVector.Empty));

        var peers = new PeerVersions();
        Assert.Equal(["c"], Ids(b.DeltaSince(peers.CutFor(A, b.Version)))); // before hearing A's vector
        peers.Heard(A, a.Version);
        Assert.True(b.DeltaSince(peers.CutFor(A, b.Version)).IsEmpty);

        // What B writes itself afterwards still goes to A.
        var (b2, _) = Add(b, B, "b");
        Assert.Equal(["b"], Ids(b2.DeltaSince(peers.CutFor(A, b2.Version))));
    }

    [Fact]
    public void A_late_answer_does_not_make_a_peer_seem_to_have_less()
    {
        var (c1, _) = Add(ReplicaState.Empty, C, "c1");
        var (c2, _) = Add(c1, C, "c2");
        var peers = new PeerVersions();
        peers.Heard(A, c2.Version);
        peers.Heard(A, c1.Version); // an older answer arriving last
        Assert.True(peers.TryGet(A, out var seen));
        Assert.Equal(c2.Version, seen);
        Assert.True(c2.DeltaSince(peers.CutFor(A, c2.Version)).IsEmpty);
    }

    [Fact]
    public void Peers_that_left_are_forgotten()
    {
        var peers = new PeerVersions();
        peers.Heard(A, VersionVector.Empty.Add(new Dot(C, 1)));
        peers.Heard(B, VersionVector.Empty.Add(new Dot(C, 2)));
        peers.RetainOnly(new HashSet<ReplicaId> { B, C });
        Assert.Equal([B], peers.Known.Keys);
    }
}
