using System.Diagnostics;
using Heck.Silo.OriginsFile;
using Xunit.Abstractions;

namespace Heck.Tests.Fuzzing;

/// <summary>
/// Mutated origins files (<see cref="OriginsFileMutator"/>) through the loader, pure: it never throws, a file it
/// cannot read is one file-level error and nothing else, and every spec it accepts is one the validator accepts,
/// under an id it manages. <c>HECK_FUZZ_SEED</c> replays (or <c>random</c>: a new draw; unset: a fixed seed), <c>HECK_FUZZ_FILE_CASES</c> sets the count (12,000).
/// </summary>
public sealed class OriginsFileFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void The_loader_answers_every_mutated_file_with_its_documented_result()
    {
        var seed = FuzzSeed.From(Environment.GetEnvironmentVariable("HECK_FUZZ_SEED"), 20261203);
        var cases = long.TryParse(Environment.GetEnvironmentVariable("HECK_FUZZ_FILE_CASES"), out var c) && c > 0 ? c : 12_000;
        output.WriteLine($"seed {seed}, {cases} files (replay: HECK_FUZZ_SEED={seed} HECK_FUZZ_FILE_CASES={cases})");
        var failures = new List<string>();
        int unreadable = 0, withErrors = 0, clean = 0, specs = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        for (long n = 0; n < cases && failures.Count < 20; n++)
        {
            var text = OriginsFileMutator.Case(seed, n);
            OriginsFileContent file;
            try
            {
                file = OriginsFileLoader.Parse("origins.yaml", text);
            }
            catch (Exception ex)
            {
                failures.Add($"#{n} threw {ex.GetType().Name}: {ex.Message}\n{string.Join('\n', (ex.StackTrace ?? "").Split('\n').Take(4))}\n{Shown(text)}");
                continue;
            }
            if (Check(file) is { } wrong) failures.Add($"#{n} {wrong}\n{Shown(text)}");
            if (!file.Parsed) unreadable++;
            else if (file.Errors.Count > 0) withErrors++;
            else clean++;
            specs += file.Specs.Count;
            errors += file.Errors.Count;
        }
        output.WriteLine($"{cases} files in {clock.Elapsed.TotalSeconds:F1} s: {unreadable} not YAML or not the file's shape, " +
                         $"{withErrors} parsed with entry errors, {clean} clean; {specs} specs accepted, {errors} errors reported");
        foreach (var f in failures) output.WriteLine("FAILURE " + f);
        Assert.True(failures.Count == 0, $"{failures.Count} failure(s) with seed {seed}; first: {failures.FirstOrDefault()}");
    }

    [Fact]
    public void An_alias_bomb_is_refused_without_being_expanded()
    {
        // 9^40 strings if the aliases were expanded: the test ends only because they are not.
        var file = OriginsFileLoader.Parse("origins.yaml", OriginsFileMutator.AliasBomb(40));
        Assert.True(file.Parsed);
        Assert.Null(Check(file));
        Assert.Empty(file.Specs);
        Assert.Contains(file.Errors, e => e.Id == "bomb" && e.Key == "expectStatus" && e.Message.Contains("an alias", StringComparison.Ordinal));
        Assert.Contains(file.Errors, e => e.Entry == 2 && e.Key == "entry");
    }

    [Theory] // found by the fuzzer: YamlDotNet's scanner threw InvalidOperationException, not a YamlException
    [InlineData("origins: [\n\norigins:\n")]
    [InlineData("origins: [{i\norigins: [{i\n")]
    [InlineData("y: *a\n {\nx: &a 1\n\ty: *a\n")]
    public void Text_the_yaml_scanner_fails_on_is_one_file_level_error(string text)
    {
        var file = OriginsFileLoader.Parse("origins.yaml", text);
        Assert.False(file.Parsed);
        var error = Assert.Single(file.Errors);
        Assert.Equal("file", error.Key);
        Assert.StartsWith("is not valid YAML: ", error.Message);
    }

    /// <summary>What is wrong with the loader's answer, or null when it is what the loader documents.</summary>
    private static string? Check(OriginsFileContent file)
    {
        foreach (var e in file.Errors)
        {
            _ = e.Describe(file.Path);
            if (e.Line is < 1 || e.Column is < 1) return $"error at line {e.Line}, column {e.Column}: {e.Describe(file.Path)}";
        }
        if (!file.Parsed)
            return file.Errors is [{ Key: "file", Entry: null }] && file.Specs.Count == 0 && file.ManagedIds.Count == 0
                ? null : $"an unreadable file must be one file-level error only: {string.Join("; ", file.Errors.Select(e => e.Describe(file.Path)))}";
        if (file.Errors.Any(e => e.Entry is null && e.Key != "file")) return "an error names neither an entry nor the file";
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in file.Specs)
        {
            if (OriginValidator.Validate(spec) is { Count: > 0 } invalid) return $"accepted spec '{spec.Id}' is invalid: {invalid[0].Field} {invalid[0].Message}";
            if (!ids.Add(spec.Id)) return $"spec '{spec.Id}' accepted twice";
            if (file.EntryOf(spec.Id) is null) return $"spec '{spec.Id}' is not managed";
        }
        return null;
    }

    private static string Shown(string text) => text.Length <= 1500 ? text : text[..1500] + $"… ({text.Length} chars)";
}
