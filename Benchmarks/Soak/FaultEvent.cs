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
