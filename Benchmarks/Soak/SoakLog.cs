namespace Heck.Benchmarks.Soak;

/// <summary>The soak's clock and log: every line is kept for the report and echoed to stderr; anomalies are kept apart too.</summary>
internal sealed class SoakLog
{
    private readonly long _t0 = Stopwatch.GetTimestamp();
    private readonly List<string> _lines = [];
    private readonly List<string> _anomalies = [];

    /// <summary>Seconds since the soak started.</summary>
    public double Now => Stopwatch.GetElapsedTime(_t0).TotalSeconds;

    public double SecondsOf(long timestamp) => (timestamp - _t0) / (double)Stopwatch.Frequency;

    public void Write(string message)
    {
        var line = $"+{Now,7:0.000} s  {message}";
        lock (_lines) _lines.Add(line);
        Console.Error.WriteLine("[soak] " + line);
    }

    public void Anomaly(string message)
    {
        lock (_anomalies) _anomalies.Add($"+{Now:0.000} s {message}");
        Write("ANOMALY: " + message);
    }

    public List<string> Lines()
    {
        lock (_lines) return [.. _lines];
    }

    public List<string> Anomalies()
    {
        lock (_anomalies) return [.. _anomalies];
    }
}
