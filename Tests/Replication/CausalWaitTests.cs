using Heck.Grains.Replica;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Heck.Tests.Replication;

/// <summary>A read with a causal token waits for the replica's change signal, up to the bound, on a fake clock.</summary>
public sealed class CausalWaitTests : IDisposable
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10); // a real-time guard against a hang, never reached when it works
    private readonly List<TempDirectory> _dirs = [];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        foreach (var d in _dirs) d.Dispose();
    }

    private sealed class FakeSilo(int port) : ILocalSiloDetails
    {
        public string Name => $"silo{port}";
        public string ClusterId => "test";
        public string DnsHostName => "localhost";
        public SiloAddress SiloAddress { get; } = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1);
        public SiloAddress GatewayAddress => SiloAddress;
    }

    private LocalReplica NewReplica(int port)
    {
        var dir = new TempDirectory();
        _dirs.Add(dir);
        return new LocalReplica(new FakeSilo(port), new RegistryJournal(dir.Path, Serializer), TimeProvider.System, NullLogger<LocalReplica>.Instance);
    }

    private CausalWait WaitOn(LocalReplica replica, int ms = 2000) =>
        new(replica, _time, Options.Create(new ReadOptions { CausalWaitMs = ms }));

    private (LocalReplica Writer, LocalReplica Reader, CausalToken Token) Written()
    {
        var (writer, reader) = (NewReplica(11111), NewReplica(11112));
        writer.Upsert(new OriginSpec { Id = "a", Url = "http://h/" });
        return (writer, reader, writer.TokenOf("a"));
    }

    [Fact]
    public async Task A_read_waits_until_the_delta_with_its_write_arrives()
    {
        var (writer, reader, token) = Written();
        Assert.False(token.IsEmpty);
        var wait = WaitOn(reader).UntilCoveredAsync(token);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.False(wait.IsCompleted);

        reader.Apply(writer.DeltaSince(reader.Version));
        var result = await wait.WaitAsync(Within);
        Assert.True(result.Covered);
        Assert.Equal(300, result.WaitedMs);
        Assert.NotNull(reader.Spec("a"));
    }

    [Fact]
    public async Task A_read_whose_write_never_arrives_gives_up_at_the_bound_naming_the_dot()
    {
        var (writer, reader, token) = Written();
        var wait = WaitOn(reader).UntilCoveredAsync(token);
        // Changes that do not bring the write wake it, and it sleeps again.
        reader.Upsert(new OriginSpec { Id = "other", Url = "http://h/" });
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await wait.WaitAsync(Within);
        Assert.False(result.Covered);
        Assert.Equal(2000, result.WaitedMs);
        Assert.Equal([writer.State.Registry.Get("a")!.Dot], result.Lacking);
    }

    [Fact]
    public async Task A_covered_token_answers_at_once_and_a_departed_writer_does_not_hold_a_read()
    {
        var (writer, reader, token) = Written();
        Assert.Same(CausalWaitResult.Immediate, await WaitOn(writer).UntilCoveredAsync(token));
        Assert.Same(CausalWaitResult.Immediate, await WaitOn(reader).UntilCoveredAsync(CausalToken.Empty));

        var wait = WaitOn(reader).UntilCoveredAsync(token);
        _time.Advance(TimeSpan.FromMilliseconds(40));
        reader.NoteDeparted([writer.Self]); // the writer died before its write spread: nothing will come
        var result = await wait.WaitAsync(Within);
        Assert.True(result.Covered);
        Assert.Equal(40, result.WaitedMs);
    }

    [Fact]
    public async Task A_zero_bound_never_waits()
    {
        var (_, reader, token) = Written();
        var result = await WaitOn(reader, ms: 0).UntilCoveredAsync(token).WaitAsync(Within);
        Assert.False(result.Covered);
        Assert.Equal(0, result.WaitedMs);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(60_000, true)]
    [InlineData(60_001, false)]
    public void The_bound_is_validated_naming_its_key(int ms, bool valid)
    {
        var result = new ReadOptionsValidator().Validate(null, new ReadOptions { CausalWaitMs = ms });
        Assert.Equal(valid, result.Succeeded);
        if (!valid) Assert.Contains("Heck:Reads:CausalWaitMs", result.FailureMessage);
    }
}
