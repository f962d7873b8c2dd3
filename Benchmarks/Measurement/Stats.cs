namespace Heck.Benchmarks.Measurement;

/// <summary>Order statistics of a sample, nearest-rank percentiles.</summary>
public sealed record Stats(int Count, double Min, double P50, double P99, double Max, double Mean)
{
    public static Stats Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var sorted = values.Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Stats(sorted.Length, sorted[0], Rank(0.50), Rank(0.99), sorted[^1], sorted.Average());
    }
}
