using Heck.Silo.Logging;
using Heck.Tests.AdoNet;
using Microsoft.Extensions.Logging;

namespace Heck.Tests.Hosting;

/// <summary>A normal start logs nothing alarming; Orleans' false watchdog warning at start is dropped, real ones stay.</summary>
public sealed class QuietStartTests
{
    // Orleans' own text (Watchdog.LogWarningParticipantCheckThreadStalled), logged with its event id.
    private static readonly Action<ILogger, TimeSpan, Exception?> ParticipantStalled = LoggerMessage.Define<TimeSpan>(
        LogLevel.Warning, new EventId(100150),
        "Participant check thread has not completed for {TimeSinceLastTick}, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.");

    private static readonly Action<ILogger, TimeSpan, Exception?> PlatformStalled = LoggerMessage.Define<TimeSpan>(
        LogLevel.Warning, new EventId(100150), ".NET Runtime Platform stalled for {TimeSinceLastTick}.");

    private static (ILoggerFactory Factory, WarningLog Log) Factory(TimeSpan processAge)
    {
        var log = new WarningLog();
        var inner = LoggerFactory.Create(b => b.AddProvider(log));
        return (new ArtifactFilteringLoggerFactory(inner, () => processAge), log);
    }

    [Fact]
    public void The_participant_warning_measured_from_before_the_process_started_is_dropped()
    {
        var (factory, log) = Factory(TimeSpan.FromSeconds(5));
        using (factory)
        {
            ParticipantStalled(factory.CreateLogger(WatchdogStartupArtifact.Category), TimeSpan.FromMinutes(37.7), null);
            Assert.Equal("", log.ToString());
        }
    }

    [Fact]
    public void Real_stalls_and_other_warnings_are_kept()
    {
        var (factory, log) = Factory(TimeSpan.FromMinutes(10));
        using (factory)
        {
            var watchdog = factory.CreateLogger(WatchdogStartupArtifact.Category);
            ParticipantStalled(watchdog, TimeSpan.FromSeconds(30), null);         // within the process's life: a real stall
            PlatformStalled(watchdog, TimeSpan.FromMinutes(37.7), null);          // another message of the category
            ParticipantStalled(factory.CreateLogger("Other"), TimeSpan.FromHours(1), null);
            var lines = log.ToString().Split(Environment.NewLine);
            Assert.Equal(3, lines.Length);
            Assert.Contains("has not completed for 00:00:30", lines[0]);
        }
    }

    [Fact]
    public void Process_age_is_how_long_this_process_has_run()
    {
        var age = ArtifactFilteringLoggerFactory.ProcessAge()();
        Assert.InRange(age, TimeSpan.Zero, DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime + TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// What this test's host may log and the silo process does not: the test runner runs workstation GC (the
    /// silo's own runtimeconfig has ServerGC on), and on a shared CI machine Orleans rightly reports a work item
    /// slowed down by CPU starvation.
    /// </summary>
    private static bool Expected(string line) =>
        line.StartsWith("Warning Orleans.Runtime.Silo: Note: Silo not running with ServerGC", StringComparison.Ordinal) ||
        line.StartsWith("Warning Orleans.Runtime.Silo: Note: ServerGC only kicks in", StringComparison.Ordinal) ||
        (line.StartsWith("Warning Orleans.Runtime.Scheduler.WorkItemGroup: ", StringComparison.Ordinal) && line.Contains("for execution, which is longer than", StringComparison.Ordinal));

    [Fact]
    [Trait("Category", "Cluster")]
    public async Task A_normal_start_logs_no_warning_or_error()
    {
        var log = new WarningLog();
        await using (var silo = await InProcessSilo.StartAsync(customize: b => b.Logging.AddProvider(log)))
        {
            (await silo.Http.GetAsync("/healthz")).EnsureSuccessStatusCode();
            // The host's factory is the filtering one, so Orleans' Watchdog logs through it.
            Assert.IsType<ArtifactFilteringLoggerFactory>(silo.Services.GetRequiredService<ILoggerFactory>());
            var alarming = log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Where(line => !Expected(line)).ToList();
            Assert.True(alarming.Count == 0, "a normal start logged:\n" + string.Join("\n", alarming));
        }
    }
}
