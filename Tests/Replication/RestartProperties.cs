namespace Heck.Tests.Replication;

/// <summary>
/// Issue 10, item 4: arbitrary interleavings of put, delete, gossip, pruning and crash-restart on
/// the journal across 3–4 silos end with every replica holding the registry of a replica that saw
/// every operation: no deleted origin present, no live origin absent.
/// </summary>
public sealed class RestartProperties
{
    private static JournalledCluster Run(byte[] script, bool four, bool pauses)
    {
        var cluster = new JournalledCluster(four ? 4 : 3, seed: script.Length);
        var n = cluster.Silos.Length;
        for (var i = 0; i + 3 < script.Length; i += 4)
        {
            var (op, a, b, c) = (script[i], script[i + 1], script[i + 2], script[i + 3]);
            switch (op % 9)
            {
                case 0:
                case 1: cluster.Put(a % n, b % History.OriginCount, c % 3); break;
                case 2: cluster.Delete(a % n, b % History.OriginCount); break;
                case 3:
                case 4: cluster.Exchange(a % n, b % n); break;
                case 5:
                    // Now and then a whole anti-entropy round: every silo that is up exchanges with every other and prunes.
                    if (c % 2 == 0) cluster.Prune(a % n);
                    else cluster.Round();
                    break;
                case 6: cluster.Crash(a % n); break;
                case 7: cluster.Restart(a % n); break;
                default:
                    // Past the retention: departed silos are forgotten and their journals no longer trusted.
                    if (pauses && c % 4 == 0) cluster.Advance(JournalledCluster.RetentionMs + 500);
                    else cluster.Round();
                    break;
            }
            cluster.Advance(JournalledCluster.StampIntervalMs);
        }
        return cluster;
    }

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 400)]
    public void Restarts_within_the_retention_lose_nothing_and_resurrect_nothing(byte[] script, bool four)
    {
        var cluster = Run(script, four, pauses: false);
        Assert.True(cluster.Settle(), $"replicas did not converge\n{cluster.Describe()}");
        Assert.Equal(0, cluster.Discards);
        var expected = JournalledCluster.Live(cluster.Reference);
        Assert.All(cluster.Silos, s => Assert.Equal(expected, JournalledCluster.Live(s.State)));
    }

    [FsCheck.Xunit.Property(MaxTest = 300, EndSize = 400)]
    public void Restarts_after_the_retention_resurrect_nothing(byte[] script, bool four)
    {
        var cluster = Run(script, four, pauses: true);
        Assert.True(cluster.Settle(), $"replicas did not converge\n{cluster.Describe()}");
        // Only writes that nothing but a journal held back past the retention ever had may be lost.
        var expected = JournalledCluster.Live(cluster.ReferenceKept);
        Assert.True(cluster.Silos.All(s => expected == JournalledCluster.Live(s.State)),
            $"expected {expected}, got {JournalledCluster.Live(cluster.Silos[0].State)}; lost {string.Join(",", cluster.Lost)}\n{string.Join("\n", cluster.Log)}");
    }

    /// <summary>The issue's case, replayed: a silo down while an origin is deleted and the tombstone could be pruned.</summary>
    [Fact]
    public void A_silo_down_during_a_delete_does_not_bring_the_origin_back()
    {
        var cluster = new JournalledCluster(3, seed: 1);
        cluster.Put(0, 0, 0);
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++) cluster.Exchange(i, j);
        cluster.Crash(2);
        cluster.Delete(0, 0);
        for (var round = 0; round < 6; round++)
        {
            cluster.Exchange(0, 1);
            cluster.Prune(0);
            cluster.Prune(1);
            cluster.Advance(JournalledCluster.StampIntervalMs);
        }
        // The tombstone waits for the silo that is down: it may come back on its journal.
        Assert.NotNull(cluster.Silos[0].State.Registry.Get("o0"));
        cluster.Restart(2);
        Assert.True(cluster.Settle());
        Assert.All(cluster.Silos, s => Assert.Null(s.State.Spec("o0")));
        for (var round = 0; round < 4; round++) cluster.Round();
        // Everyone has the tombstone, but it outlives the retention (a silo nobody heard of may still come back).
        Assert.All(cluster.Silos, s => Assert.NotNull(s.State.Registry.Get("o0")));
        cluster.Advance(JournalledCluster.RetentionMs);
        for (var round = 0; round < 4; round++) cluster.Round();
        Assert.All(cluster.Silos, s => Assert.Null(s.State.Registry.Get("o0"))); // and then it is pruned
    }

    [Fact]
    public void A_silo_back_after_the_retention_discards_its_journal_and_resurrects_nothing()
    {
        var cluster = new JournalledCluster(3, seed: 2);
        cluster.Put(0, 0, 0);
        cluster.Put(0, 1, 0);
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++) cluster.Exchange(i, j);
        cluster.Crash(2);
        cluster.Delete(0, 0);
        cluster.Round(); // the others notice silo 2 gone
        cluster.Advance(JournalledCluster.RetentionMs + 500);
        for (var round = 0; round < 6; round++)
        {
            cluster.Exchange(0, 1);
            cluster.Prune(0);
            cluster.Prune(1);
            cluster.Advance(JournalledCluster.StampIntervalMs);
        }
        Assert.Null(cluster.Silos[0].State.Registry.Get("o0")); // pruned: the silo that is down was forgotten
        cluster.Restart(2);
        Assert.NotNull(cluster.Silos[2].HeldBack);
        Assert.True(cluster.Settle());
        Assert.Equal(1, cluster.Discards);
        Assert.All(cluster.Silos, s => Assert.Equal("o1=http://o1.test/v0", string.Join(";", s.State.Registry.Live.Select(e => $"{e.Id}={e.Spec!.Url}"))));
        Assert.DoesNotContain("o0", cluster.Silos[2].Journal.Keys);
    }

    /// <summary>
    /// Issue 10, item 7: after many churned silo generations (and deletes), the vectors, the peer
    /// bookkeeping and the journals stay bounded by the live state, not by history.
    /// </summary>
    [Fact]
    public void Churned_generations_and_deletes_leave_bounded_state()
    {
        var cluster = new JournalledCluster(3, seed: 3);
        for (var churn = 0; churn < 60; churn++)
        {
            cluster.Put(churn % 3, churn % History.OriginCount, churn % 3);
            if (churn % 2 == 1) cluster.Delete((churn + 1) % 3, (churn - 1) % History.OriginCount);
            cluster.Crash(2);
            cluster.Restart(2);
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < 3; i++)
                    for (var j = 0; j < 3; j++) cluster.Exchange(i, j);
                for (var i = 0; i < 3; i++) cluster.Prune(i);
                cluster.Advance(JournalledCluster.StampIntervalMs);
            }
        }
        Assert.True(cluster.Settle());
        Assert.Equal(61, cluster.Silos[2].Generation);
        foreach (var s in cluster.Silos)
        {
            // The live silos, plus the writers of the records still held.
            var writers = s.State.Registry.Entries.Select(e => e.Dot.Replica).Distinct().Count();
            Assert.InRange(s.State.Version.Replicas.Count(), 1, 3 + writers);
            Assert.InRange(writers, 0, History.OriginCount);
            Assert.InRange(s.Planner.Peers.Known.Count, 0, 2);
            Assert.Empty(s.Planner.Departed);
            Assert.InRange(s.Journal.Count, 0, History.OriginCount);
        }
    }
}
