using Heck.Origins;

namespace Heck.Grains.Origins;

/// <summary>
/// <c>Heck:Limits</c>: how much a cluster takes on. A registration beyond them is refused (<see cref="ProbeAdmission"/>)
/// rather than every origin going late.
/// </summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Heck:Limits";

    /// <summary>Origins the cluster holds at most.</summary>
    public int MaxOrigins { get; set; } = 100_000;

    /// <summary>The shortest interval an origin may have.</summary>
    public int MinIntervalMs { get; set; } = OriginDefaults.MinIntervalMs;

    /// <summary>
    /// Probes per second one silo is trusted to run on schedule; the cluster's budget is this times its live silos.
    /// The default is below what one 2-core silo sustains (8,000/s in <c>probe-throughput</c>) plus headroom for confirmations.
    /// </summary>
    public double ProbesPerSecondPerSilo { get; set; } = 10_000;
}
