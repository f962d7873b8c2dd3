namespace Heck.Silo.Logging;

/// <summary>
/// Recognises Orleans' false "Participant check thread has not completed for …" warning at silo start.
/// Orleans' Watchdog starts its platform thread before it stamps the component thread's timestamp, so
/// a first platform check that runs in between measures from timestamp 0: the figure is the machine's
/// uptime, not a stall. A real stall is measured from a stamp this process took, so it can never be
/// longer than the process has lived; only a figure beyond that is dropped, and every real one stays.
/// </summary>
public static class WatchdogStartupArtifact
{
    public const string Category = "Orleans.Runtime.Watchdog";

    private const string Message = "Participant check thread has not completed for";

    public static bool Matches(string category, LogLevel level, object? state, TimeSpan processAge)
    {
        if (category != Category || level != LogLevel.Warning || state is not IReadOnlyList<KeyValuePair<string, object?>> values) return false;
        string? format = null;
        TimeSpan? stalled = null;
        foreach (var (key, value) in values)
        {
            if (key == "{OriginalFormat}") format = value as string;
            else if (key == "TimeSinceLastTick" && value is TimeSpan t) stalled = t;
        }
        return format is not null && format.StartsWith(Message, StringComparison.Ordinal) && stalled > processAge;
    }
}
