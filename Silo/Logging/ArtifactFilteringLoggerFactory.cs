using System.Diagnostics;

namespace Heck.Silo.Logging;

/// <summary>
/// The host's logger factory with <see cref="WatchdogStartupArtifact"/> taken out of the Watchdog's
/// category; every other category gets the inner factory's logger as it is, and provider filters and
/// aliases (<c>Logging:Console:…</c>) keep working because the providers are not wrapped.
/// </summary>
public sealed class ArtifactFilteringLoggerFactory(ILoggerFactory inner, Func<TimeSpan> processAge) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == WatchdogStartupArtifact.Category ? new Filtering(logger, categoryName, processAge) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    /// <summary>How long this process has run, by the clock Orleans' Watchdog uses (Stopwatch timestamps).</summary>
    public static Func<TimeSpan> ProcessAge()
    {
        using var process = Process.GetCurrentProcess();
        var startedAgo = DateTime.Now - process.StartTime;
        var anchor = Stopwatch.GetTimestamp();
        return () => startedAgo + Stopwatch.GetElapsedTime(anchor);
    }

    /// <summary>Replaces the registered <see cref="ILoggerFactory"/> with this filter around it.</summary>
    public static void Install(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService);
        if (registered is null) return;
        services.Remove(registered);
        services.AddSingleton<ILoggerFactory>(sp => new ArtifactFilteringLoggerFactory(Create(sp, registered), ProcessAge()));
    }

    private static ILoggerFactory Create(IServiceProvider sp, ServiceDescriptor d) =>
        d.ImplementationInstance as ILoggerFactory
        ?? (d.ImplementationFactory is { } factory ? (ILoggerFactory)factory(sp) : (ILoggerFactory)ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));

    private sealed class Filtering(ILogger inner, string category, Func<TimeSpan> processAge) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (WatchdogStartupArtifact.Matches(category, logLevel, state, processAge())) return;
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
