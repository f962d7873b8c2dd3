using Heck.Silo.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;

namespace Heck.Tests.Hosting;

public sealed class RejoinBackoffTests
{
    [Fact]
    public void The_first_rejoin_is_immediate_and_quick_repeats_double_up_to_the_maximum()
    {
        var backoff = new RejoinBackoff();
        var quick = TimeSpan.FromSeconds(5);
        var waits = Enumerable.Range(0, 7).Select(_ => backoff.Next(quick).TotalSeconds).ToList();
        Assert.Equal([0, 1, 2, 4, 8, 10, 10], waits);
    }

    [Fact]
    public void A_generation_that_ran_long_enough_resets_the_backoff()
    {
        var backoff = new RejoinBackoff();
        backoff.Next(null);
        backoff.Next(null);
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Next(null));
        Assert.Equal(TimeSpan.Zero, backoff.Next(RejoinBackoff.StableAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next(TimeSpan.FromSeconds(1)));
    }
}

public sealed class RejoinSeedsTests
{
    [Fact]
    public void Peers_follow_the_configured_seeds_each_once_without_this_silo()
    {
        var seeds = RejoinSeeds.Merge(["10.0.0.1:7946"], ["10.0.0.2:7946", "10.0.0.1:7946", "10.0.0.9:7946", "10.0.0.2:7946"], self: "10.0.0.9:7946");
        Assert.Equal(["10.0.0.1:7946", "10.0.0.2:7946"], seeds);
    }

    [Fact]
    public void A_silo_without_configured_seeds_rejoins_through_its_peers()
    {
        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2"], RejoinSeeds.Merge([], ["127.0.0.1:1", "127.0.0.1:2"], self: "127.0.0.1:3"));
    }

    [Fact]
    public void An_IPv6_endpoint_is_written_as_a_seed()
    {
        Assert.Equal("[::1]:7946", RejoinSeeds.Endpoint("::1", 7946));
        Assert.Equal("10.0.0.1:7946", RejoinSeeds.Endpoint("10.0.0.1", 7946));
    }
}

public sealed class RejoiningFatalErrorHandlerTests
{
    private sealed class CountingHandler : IFatalErrorHandler
    {
        public int Calls;
        public bool IsUnexpected(Exception exception) => true;
        public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null) => Calls++;
    }

    private static (RejoiningFatalErrorHandler Handler, CountingHandler Orleans, RejoinSignal Signal) Create()
    {
        var orleans = new CountingHandler();
        var signal = new RejoinSignal();
        var services = new ServiceCollection().BuildServiceProvider();
        return (new RejoiningFatalErrorHandler(orleans, signal, services, NullLogger<RejoiningFatalErrorHandler>.Instance), orleans, signal);
    }

    [Fact]
    public void Told_dead_asks_for_a_new_generation_instead_of_ending_the_process()
    {
        var (handler, orleans, signal) = Create();
        handler.OnFatalException(null, "I have been told I am dead, so this silo will stop! Reason: The membership view classifies this silo as Dead");
        Assert.True(signal.IsRequested);
        Assert.Equal(0, orleans.Calls);
    }

    [Fact]
    public void Other_fatal_errors_and_a_newer_generation_of_this_silo_still_go_to_Orleans()
    {
        var (handler, orleans, signal) = Create();
        handler.OnFatalException(null, "Something else broke", new InvalidOperationException());
        handler.OnFatalException(null, "I have been told I am dead, so this silo will stop! Reason: Detected newer version of myself - I am the older clone so I will stop");
        Assert.False(signal.IsRequested);
        Assert.Equal(2, orleans.Calls);
    }
}
