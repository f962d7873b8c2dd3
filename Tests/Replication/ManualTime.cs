namespace Heck.Tests.Replication;

/// <summary>
/// A wall clock that tests move by hand, also backwards (an NTP step). Not FakeTimeProvider: that
/// one refuses to go back in time, and the HLC and gossip tests step the wall clock back on purpose.
/// </summary>
internal sealed class ManualTime(long startMs) : TimeProvider
{
    public long NowMs { get; set; } = startMs;

    public void Advance(long ms) => NowMs += ms;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
}
