using System.Globalization;
using Heck.Origins;

namespace Heck.Grains.Origins;

/// <summary>What the cluster probes now, as one replica sees it: the registry's live origins and their summed rate.</summary>
public readonly record struct ProbeLoad(int Origins, double ProbesPerSecond)
{
    public static double RateOf(int intervalMs) => 1000.0 / intervalMs;

    public static ProbeLoad Of(IEnumerable<OriginSpec> live)
    {
        int count = 0;
        double rate = 0;
        foreach (var spec in live)
        {
            count++;
            rate += RateOf(spec.IntervalMs);
        }
        return new ProbeLoad(count, rate);
    }
}

/// <summary>
/// Whether the cluster takes on a write: a new origin must fit under <see cref="LimitsOptions.MaxOrigins"/>, and a
/// write that adds probes per second must keep the cluster's scheduled rate within its budget
/// (<see cref="LimitsOptions.ProbesPerSecondPerSilo"/> × live silos). A write that adds no rate (an edit that
/// keeps or lengthens the interval) is always admitted, so an over-budget cluster can still be slowed down.
/// Pure: the caller brings the load from its replica and the count of live silos.
/// </summary>
public static class ProbeAdmission
{
    /// <param name="load">The registry now, this origin included if it exists.</param>
    /// <param name="existing">The origin's current spec, or null for a new origin.</param>
    public static AdmissionRefusal? Decide(ProbeLoad load, OriginSpec? existing, OriginSpec wanted, int liveSilos, LimitsOptions limits)
    {
        if (existing is null && load.Origins >= limits.MaxOrigins)
            return new AdmissionRefusal(AdmissionRefusalKind.TooManyOrigins,
                $"The cluster holds {load.Origins} origins, the most {LimitsOptions.SectionName}:{nameof(LimitsOptions.MaxOrigins)} ({limits.MaxOrigins}) allows.",
                $"{LimitsOptions.SectionName}:{nameof(LimitsOptions.MaxOrigins)}");
        var added = ProbeLoad.RateOf(wanted.IntervalMs) - (existing is null ? 0 : ProbeLoad.RateOf(existing.IntervalMs));
        if (added <= 0) return null;
        var budget = limits.ProbesPerSecondPerSilo * Math.Max(1, liveSilos);
        if (load.ProbesPerSecond + added <= budget) return null;
        var key = $"{LimitsOptions.SectionName}:{nameof(LimitsOptions.ProbesPerSecondPerSilo)}";
        return new AdmissionRefusal(AdmissionRefusalKind.OverBudget,
            string.Create(CultureInfo.InvariantCulture,
                $"The cluster probes {load.ProbesPerSecond:0.##}/s; this write adds {added:0.##}/s, over the budget of {budget:0.##}/s ({key} {limits.ProbesPerSecondPerSilo:0.##} × {Math.Max(1, liveSilos)} live silos). Lengthen intervals, remove origins or add silos."),
            key);
    }
}
