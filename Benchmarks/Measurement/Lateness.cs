namespace Heck.Benchmarks.Measurement;

/// <summary>
/// Scheduling lag as the target sees it. The owner schedules probe k of an origin at
/// start + k·interval + (jitter so far), where each step adds a jitter of up to ±2 % of the
/// interval (at most 250 ms), so a probe fired on time arrives interval ± jitter after the previous
/// one. Lateness here is the excess of a gap over interval + that jitter bound, clamped at 0: a
/// probe that fires L ms after its slot shows up as about L ms of lateness (its successor, if on
/// time, as an early gap, which is clamped away). It is a lower bound when a whole run of probes
/// is late by the same amount. Also given: |gap − interval|, which includes the jitter itself.
/// </summary>
public sealed record Lateness(int Gaps, double LatenessP50Ms, double LatenessP99Ms, double LatenessMaxMs, double AbsDeviationP99Ms, double JitterBoundMs)
{
    public static double JitterBound(int intervalMs) => Math.Min(intervalMs * 0.02, 250);

    public static Lateness Of(float[] gapsMs, int intervalMs)
    {
        var bound = JitterBound(intervalMs);
        if (gapsMs.Length == 0) return new Lateness(0, 0, 0, 0, 0, bound);
        var late = new double[gapsMs.Length];
        var deviation = new double[gapsMs.Length];
        for (var i = 0; i < gapsMs.Length; i++)
        {
            late[i] = Math.Max(0, gapsMs[i] - intervalMs - bound);
            deviation[i] = Math.Abs(gapsMs[i] - intervalMs);
        }
        Array.Sort(late);
        Array.Sort(deviation);
        return new Lateness(gapsMs.Length, Rank(late, 0.50), Rank(late, 0.99), late[^1], Rank(deviation, 0.99), bound);
    }

    // Nearest rank, as in Stats.
    private static double Rank(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
