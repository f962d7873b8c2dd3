namespace Heck.Tests.Fuzzing;

/// <summary>
/// A fuzz run's seed: <c>HECK_FUZZ_SEED</c> as a number replays that run, <c>random</c> draws a new one (to explore),
/// and unset gives the test's fixed seed, so that CI runs the same cases on every machine and a failure there is the
/// code's, not the draw's.
/// </summary>
public static class FuzzSeed
{
    public static int From(string? setting, int fixedSeed) =>
        int.TryParse(setting, out var seed) ? seed
        : string.Equals(setting, "random", StringComparison.OrdinalIgnoreCase) ? Random.Shared.Next()
        : fixedSeed;
}
