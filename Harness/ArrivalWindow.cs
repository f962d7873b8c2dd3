namespace Heck.Harness;

/// <summary>One recording window: arrivals, its length, and each arrival's gap since its path's previous one.</summary>
public sealed record ArrivalWindow(long Hits, double Seconds, float[] GapsMs)
{
    public double PerSecond => Seconds > 0 ? Hits / Seconds : 0;
}
