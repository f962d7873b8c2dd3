namespace Heck.Benchmarks.Measurement;

/// <summary>CPU time and memory of a process (by id) and of the whole machine, from Linux's /proc.</summary>
public static class ProcessStats
{
    /// <summary>User + system CPU time the process has used so far, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Resident set size (VmRSS of /proc/&lt;pid&gt;/status) in bytes; 0 when unavailable.</summary>
    public static long RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries); // "VmRSS:", "12345", "kB"
                return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    public static double Mib(long bytes) => bytes / (1024.0 * 1024.0);

    /// <summary>A reading of the machine's CPU counters (first line of /proc/stat), in clock ticks.</summary>
    public readonly record struct MachineCpu(long Busy, long Total)
    {
        public static MachineCpu Now()
        {
            try
            {
                var first = File.ReadLines("/proc/stat").First(); // "cpu  user nice system idle iowait irq softirq steal …"
                var fields = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
                var idle = fields[3] + fields[4];
                var total = fields.Sum();
                return new MachineCpu(total - idle, total);
            }
            catch (Exception ex) when (ex is IOException or FormatException or InvalidOperationException or IndexOutOfRangeException)
            {
                return default;
            }
        }

        /// <summary>Percentage of all cores busy between <paramref name="earlier"/> and this reading.</summary>
        public double BusyPercentSince(MachineCpu earlier) =>
            Total > earlier.Total ? 100.0 * (Busy - earlier.Busy) / (Total - earlier.Total) : 0;
    }
}
