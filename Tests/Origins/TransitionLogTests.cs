using Heck.Grains.Replica;

namespace Heck.Tests.Origins;

public sealed class TransitionLogTests
{
    private static StampedTransition T(int n) =>
        new($"o{n % 3}", new TransitionStamp(1, new Hlc(n, 0), new Dot(new ReplicaId("a:1", 1), n)),
            new HealthTransition(DateTimeOffset.UnixEpoch.AddSeconds(n), HealthStatus.Unknown, HealthStatus.Healthy, $"t{n}"));

    private static TransitionLog Filled(int capacity, int count)
    {
        var log = new TransitionLog(capacity, "g1");
        log.Append([.. Enumerable.Range(1, count).Select(T)]);
        return log;
    }

    [Fact]
    public void Events_are_numbered_from_one_and_read_in_pages_without_a_gap()
    {
        var log = Filled(10, 5);
        var read = log.Read(0, 3);
        Assert.Equal([1L, 2, 3], read.Events.Select(e => e.Sequence));
        Assert.False(read.Gap);
        Assert.Equal(3, read.Next);
        Assert.Equal("t1", read.Events[0].Transition.Reason);
        Assert.Equal(T(1).Stamp, read.Events[0].Stamp);
        var rest = log.Read(read.Next, 10);
        Assert.Equal([4L, 5], rest.Events.Select(e => e.Sequence));
        Assert.Empty(log.Read(rest.Next, 10).Events);
        Assert.False(log.Read(rest.Next, 10).Gap);
    }

    [Fact]
    public void A_reader_behind_what_is_kept_gets_a_gap_and_the_oldest_kept()
    {
        var log = Filled(10, 25);
        var read = log.Read(3, 100);
        Assert.True(read.Gap);
        Assert.Equal(Enumerable.Range(16, 10).Select(i => (long)i), read.Events.Select(e => e.Sequence));
        // Right at the edge nothing is lost.
        Assert.False(log.Read(15, 100).Gap);
        Assert.True(log.Read(14, 100).Gap);
    }

    [Fact]
    public void A_number_beyond_the_newest_is_a_gap_of_another_run()
    {
        var log = Filled(10, 5);
        var read = log.Read(99, 100);
        Assert.True(read.Gap);
        Assert.Equal(5, read.Events.Count);
        // The Orleans paging takes it as "from now".
        Assert.Equal(new TransitionPage(5, []), log.After(99, 10));
        Assert.Empty(log.After(-1, 10).Events);
    }

    [Fact]
    public void The_ring_keeps_at_most_its_capacity()
    {
        var log = Filled(4, 1000);
        Assert.Equal(1000, log.Last);
        Assert.Equal([997L, 998, 999, 1000], log.Read(0, 100).Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_waiter_wakes_on_the_next_append_and_not_before()
    {
        var log = Filled(10, 2);
        Assert.True(log.WaitAsync(1, CancellationToken.None).IsCompleted);
        var waiting = log.WaitAsync(2, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        log.Append([]);
        Assert.False(waiting.IsCompleted);
        log.Append([T(3)]);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        using var cancel = new CancellationTokenSource();
        var cancelled = log.WaitAsync(3, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }

    [Fact]
    public void Each_log_has_a_generation_of_its_own()
    {
        Assert.NotEqual(new TransitionLog(1).Generation, new TransitionLog(1).Generation);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransitionLog(0));
    }
}
