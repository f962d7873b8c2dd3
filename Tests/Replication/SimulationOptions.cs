namespace Heck.Tests.Replication;

/// <summary>One simulated run; everything it does follows from these values.</summary>
public sealed record SimulationOptions(int Seed, int Replicas)
{
    public GossipMode Mode { get; init; } = GossipMode.PushPull;
    public int Origins { get; init; } = 12;
    /// <summary>Ticks (10 ms of simulated time each) during which replicas write.</summary>
    public int WriteTicks { get; init; } = 300;
    /// <summary>Upper bound on the ticks allowed to converge after writes stop.</summary>
    public int QuiescenceTicks { get; init; } = 5000;
    public double Loss { get; init; } = 0.2;
    public double Duplication { get; init; } = 0.1;
    public int MaxDelayTicks { get; init; } = 8;
    public int Fanout { get; init; } = 2;
    public int AntiEntropyEveryTicks { get; init; } = 10;
    public int PruneEveryTicks { get; init; } = 25;
    /// <summary>The tick at which one replica dies, or null for none.</summary>
    public int? CrashAtTick { get; init; } = 150;
    /// <summary>Ticks after the crash until the silo restarts as a new generation (empty replica), or null for never.</summary>
    public int? RestartAfterTicks { get; init; }

    public override string ToString() =>
        $"seed={Seed} replicas={Replicas} mode={Mode} loss={Loss} dup={Duplication} crashAt={CrashAtTick?.ToString() ?? "none"} restartAfter={RestartAfterTicks?.ToString() ?? "none"}";
}
