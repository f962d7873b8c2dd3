namespace Heck.Benchmarks.Commands;

/// <summary>Options several scenario commands share, spelled and described the same everywhere.</summary>
public static class CommonOptions
{
    public static Option<string?> Out() => new("--out") { Description = "Write the results as JSON to this file" };

    public static Option<int> IntervalMs(int defaultMs, string? description = "Probe interval of every origin") =>
        new("--interval-ms") { Description = description, DefaultValueFactory = _ => defaultMs };

    public static Option<int> RegisterConcurrency() =>
        new("--register-concurrency") { Description = "PUT requests in flight while registering", DefaultValueFactory = _ => 32 };

    public static Option<int> MaxMinutes(int defaultMinutes, string description) =>
        new("--max-minutes") { Description = description, DefaultValueFactory = _ => defaultMinutes };
}
