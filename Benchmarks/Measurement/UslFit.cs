namespace Heck.Benchmarks.Measurement;

/// <summary>
/// Fits Gunther's Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)) to measured
/// (N, throughput) points by least squares on X, with σ in [0, 1] and κ in [0, 10] (κ above 1 means
/// throughput falls faster than 1/N: nodes that share one machine's cores, say). σ is contention
/// (the serial share), κ coherency (the pairwise cost of keeping nodes in agreement), λ the
/// throughput of one node. For fixed σ, κ the best λ has a closed form, so only (σ, κ) is
/// searched: a grid, then a bounded pattern search around its best cell. Deterministic and pure.
/// </summary>
public static class UslFit
{
    /// <summary>The fitted law; <see cref="RSquared"/> is 1 − SSres/SStot on throughput (1 when both are 0).</summary>
    public sealed record Result(double Lambda, double Sigma, double Kappa, double RSquared, int Points)
    {
        public double Predict(double n) => Model(Lambda, Sigma, Kappa, n);
    }

    /// <summary>Points with fewer distinct N than this leave σ and κ undetermined.</summary>
    public const int MinDistinctN = 3;

    private const double MaxSigma = 1;
    private const double MaxKappa = 10;
    private const int PatternSteps = 20_000;

    public static double Model(double lambda, double sigma, double kappa, double n) =>
        lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));

    /// <summary>The fit, or null with the reason it cannot be made (see <see cref="Fit"/>).</summary>
    public static Result? TryFit(IReadOnlyList<(double N, double Throughput)> points, out string? reason)
    {
        reason = Check(points);
        if (reason is not null) return null;
        return FitChecked(points);
    }

    /// <summary>
    /// Fits the law. Throws <see cref="ArgumentException"/> when N is not a finite number ≥ 1, a
    /// throughput is negative or not finite, there are fewer than <see cref="MinDistinctN"/>
    /// distinct N, or every throughput is 0 (nothing to scale).
    /// </summary>
    public static Result Fit(IReadOnlyList<(double N, double Throughput)> points)
    {
        var reason = Check(points);
        if (reason is not null) throw new ArgumentException(reason, nameof(points));
        return FitChecked(points);
    }

    private static string? Check(IReadOnlyList<(double N, double Throughput)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        foreach (var (n, x) in points)
        {
            if (!double.IsFinite(n) || n < 1) return $"N must be a finite number ≥ 1, got {n}";
            if (!double.IsFinite(x) || x < 0) return $"throughput must be finite and ≥ 0, got {x} at N={n}";
        }
        var distinct = points.Select(p => p.N).Distinct().Count();
        if (distinct < MinDistinctN) return $"needs throughput at {MinDistinctN} or more distinct N, got {distinct}";
        if (points.All(p => p.Throughput == 0)) return "every throughput is 0";
        return null;
    }

    private static Result FitChecked(IReadOnlyList<(double N, double Throughput)> points)
    {
        // Grid: σ linear, κ 0 then log-spaced, because κ matters at small values.
        double[] sigmas = [.. Enumerable.Range(0, 101).Select(i => i / 100.0 * MaxSigma)];
        double[] kappas = [0, .. Enumerable.Range(0, 71).Select(i => MaxKappa * Math.Pow(10, -7 + i / 10.0))];
        var (bestS, bestK, bestErr) = (0.0, 0.0, double.PositiveInfinity);
        foreach (var s in sigmas)
            foreach (var k in kappas)
            {
                var err = Residual(points, s, k, out _);
                if (err < bestErr) (bestS, bestK, bestErr) = (s, k, err);
            }

        // Pattern search: try ±step on each axis and the diagonals (σ and κ trade off along a ridge),
        // halve the steps when nothing improves.
        var (stepS, stepK) = (0.01, Math.Max(bestK, 1e-6));
        for (var i = 0; i < PatternSteps && (stepS > 1e-9 || stepK > 1e-12); i++)
        {
            var improved = false;
            foreach (var (ds, dk) in new[]
            {
                (stepS, 0.0), (-stepS, 0.0), (0.0, stepK), (0.0, -stepK),
                (stepS, -stepK), (-stepS, stepK), (stepS, stepK), (-stepS, -stepK),
            })
            {
                var s = Math.Clamp(bestS + ds, 0, MaxSigma);
                var k = Math.Clamp(bestK + dk, 0, MaxKappa);
                var err = Residual(points, s, k, out _);
                if (err < bestErr) { (bestS, bestK, bestErr) = (s, k, err); improved = true; }
            }
            if (!improved) (stepS, stepK) = (stepS / 2, stepK / 2);
        }

        Residual(points, bestS, bestK, out var lambda);
        var mean = points.Average(p => p.Throughput);
        var total = points.Sum(p => (p.Throughput - mean) * (p.Throughput - mean));
        // Flat data is fitted exactly by σ = 1; with no spread R² is 1 for an exact fit, else 0.
        var r2 = total > 0 ? 1 - bestErr / total : bestErr <= 1e-12 * Math.Max(1, mean * mean) ? 1 : 0;
        return new Result(lambda, bestS, bestK, r2, points.Count);
    }

    /// <summary>Sum of squared errors at (σ, κ) with the least-squares λ for them.</summary>
    private static double Residual(IReadOnlyList<(double N, double Throughput)> points, double sigma, double kappa, out double lambda)
    {
        // X = λ·f(N): the best λ is Σ X·f / Σ f².
        double xf = 0, ff = 0;
        foreach (var (n, x) in points)
        {
            var f = Model(1, sigma, kappa, n);
            xf += x * f;
            ff += f * f;
        }
        lambda = ff > 0 ? xf / ff : 0;
        double err = 0;
        foreach (var (n, x) in points)
        {
            var d = x - lambda * Model(1, sigma, kappa, n);
            err += d * d;
        }
        return err;
    }
}
