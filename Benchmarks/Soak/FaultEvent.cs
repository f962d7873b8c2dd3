namespace Heck.Benchmarks.Soak;

internal enum Fault { Kill, Stop, Term }

/// <summary>One fault (or unplanned exit) and how it ended; serialized into the JSON report.</summary>
internal sealed class FaultEvent
{
    public int Seq { get; init; }
    public int Lane { get; init; }
    public int Node { get; init; }
    public string Action { get; init; } = "";
    public int Pid { get; init; }
    public int Generation { get; init; }
    public int DownMs { get; init; }
    public double AtS { get; init; }
    public double? RecoveredAtS { get; set; }
    public string Outcome { get; set; } = "";
    public int? NewGeneration { get; set; }
    /// <summary>From the signal until every live silo lists the faulted generation dead (or left); null if it never did.</summary>
    public double? DeclaredDeadAfterMs { get; set; }
    internal long StartTs { get; init; }
    internal long EndTs { get; set; }
}

/// <summary>One partition: who was cut from whom, for how long, and how the cluster came back together.</summary>
internal sealed class PartitionEvent
{
    public int Seq { get; init; }
    /// <summary>"majority/minority" sizes, e.g. 3/2.</summary>
    public string Shape { get; init; } = "";
    public int[] Minority { get; init; } = [];
    public int HoldMs { get; init; }
    public double AtS { get; set; }
    public double? HealedAtS { get; set; }
    /// <summary>From the heal until every silo lists the same members alive; null if not within the wait.</summary>
    public double? OneClusterAfterMs { get; set; }
    /// <summary>Different alive member sets the silos listed at the end of the wait after the heal (1: one cluster).</summary>
    public int ClustersAfterHeal { get; set; }
    /// <summary>Each side's loopback addresses, minority first (probes are told apart by source address).</summary>
    internal string[][] Sides { get; init; } = [];
    internal long CutTs { get; set; }
    internal long HealTs { get; set; }
    /// <summary>Each origin's last hit from anyone when the sampler first saw the cut: where each side starts to count.</summary>
    internal long[]? Baseline { get; set; }
}

/// <summary>A node whose generation changed without the harness restarting it (declared dead, rejoined in-process).</summary>
internal sealed record RejoinEvent(int Node, int FromGeneration, int ToGeneration, double AtS, string Faults);
