using Heck.Benchmarks.Measurement;

namespace Heck.Tests.Benchmarks;

public class UslFitTests
{
    private static (double N, double Throughput)[] Exact(double lambda, double sigma, double kappa, int maxN) =>
        [.. Enumerable.Range(1, maxN).Select(n => ((double)n, UslFit.Model(lambda, sigma, kappa, n)))];

    [Theory]
    [InlineData(1000, 0.05, 0.02, 5)]
    [InlineData(250, 0.3, 0.0, 5)]
    [InlineData(5000, 0.0, 0.0, 4)]
    [InlineData(800, 0.02, 0.001, 8)]
    [InlineData(120, 0.1, 0.15, 5)]
    [InlineData(1000, 0.2, 2.0, 5)]
    public void Recovers_the_parameters_of_exact_points(double lambda, double sigma, double kappa, int maxN)
    {
        var fit = UslFit.Fit(Exact(lambda, sigma, kappa, maxN));
        Assert.Equal(lambda, fit.Lambda, lambda * 1e-4);
        Assert.Equal(sigma, fit.Sigma, 1e-4);
        Assert.Equal(kappa, fit.Kappa, 1e-4);
        Assert.True(fit.RSquared > 0.999999, $"R² {fit.RSquared}");
        Assert.Equal(maxN, fit.Points);
    }

    [Fact]
    public void Recovers_the_parameters_of_noisy_points_within_the_noise()
    {
        // ±3 % multiplicative noise, three repetitions per N, fixed seed.
        var random = new Random(7);
        var points = Enumerable.Range(1, 8).SelectMany(n => Enumerable.Range(0, 3).Select(_ =>
            ((double)n, UslFit.Model(1000, 0.08, 0.01, n) * (1 + (random.NextDouble() - 0.5) * 0.06)))).ToArray();
        var fit = UslFit.Fit(points);
        Assert.InRange(fit.Lambda, 950, 1050);
        Assert.InRange(fit.Sigma, 0.03, 0.13);
        Assert.InRange(fit.Kappa, 0.005, 0.015);
        Assert.InRange(fit.RSquared, 0.9, 1);
    }

    [Fact]
    public void Flat_throughput_is_full_contention_with_no_coherency_cost()
    {
        var fit = UslFit.Fit([(1, 500), (2, 500), (3, 500), (4, 500)]);
        Assert.Equal(500, fit.Lambda, 1e-6);
        Assert.Equal(1, fit.Sigma, 1e-6);
        Assert.Equal(0, fit.Kappa, 1e-9);
        Assert.Equal(1, fit.RSquared);
    }

    [Fact]
    public void Superlinear_points_fit_at_the_bounds_without_nan()
    {
        var fit = UslFit.Fit([(1, 100), (2, 300), (3, 600)]);
        Assert.Equal(0, fit.Sigma);
        Assert.Equal(0, fit.Kappa);
        Assert.True(double.IsFinite(fit.Lambda) && double.IsFinite(fit.RSquared));
        Assert.True(fit.RSquared < 1);
    }

    [Theory]
    [InlineData("one point")]
    [InlineData("two N")]
    [InlineData("zero throughput")]
    [InlineData("negative throughput")]
    [InlineData("NaN throughput")]
    [InlineData("N below 1")]
    public void Degenerate_points_are_refused_with_a_reason(string shape)
    {
        (double, double)[] points = shape switch
        {
            "one point" => [(1, 100)],
            "two N" => [(1, 100), (2, 180), (2, 170)],
            "zero throughput" => [(1, 0), (2, 0), (3, 0)],
            "negative throughput" => [(1, 100), (2, -1), (3, 150)],
            "NaN throughput" => [(1, 100), (2, double.NaN), (3, 150)],
            _ => [(0, 100), (2, 180), (3, 200)],
        };
        var error = Assert.Throws<ArgumentException>(() => UslFit.Fit(points));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Null(UslFit.TryFit(points, out var reason));
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void Try_fit_gives_no_reason_when_it_fits()
    {
        Assert.NotNull(UslFit.TryFit(Exact(100, 0.1, 0.01, 5), out var reason));
        Assert.Null(reason);
    }
}
