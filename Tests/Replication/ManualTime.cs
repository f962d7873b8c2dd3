namespace Heck.Tests.Replication;

/// <summary>A wall clock that tests move by hand, also backwards (an NTP step).</summary>
internal sealed class ManualTime(long startMs) : TimeProvider
{
    public long NowMs { get; set; } = startMs;

    public void Advance(long ms) => NowMs += ms;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
}
