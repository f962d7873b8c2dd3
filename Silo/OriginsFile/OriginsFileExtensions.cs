using Heck.Silo.Configuration;

namespace Heck.Silo.OriginsFile;

public static class OriginsFileExtensions
{
    /// <summary>
    /// Reads the origins file now, so the API refuses writes to its entries from the first request,
    /// and applies it (and every later change of it) once the silo runs. Call after <c>UseOrleans</c>:
    /// hosted services start in order, so the silo is active by then. A bad file does not stop the
    /// silo; a missing one is refused earlier, by <see cref="HeckOptionsValidator"/>.
    /// </summary>
    public static WebApplicationBuilder AddOriginsFile(this WebApplicationBuilder builder, HeckOptions options)
    {
        var state = new OriginsFileState(Path.GetFullPath(options.Storage.Path, Environment.CurrentDirectory));
        var status = OriginsFileStatus.None;
        if (options.OriginsFile is { } configured)
        {
            var path = Path.GetFullPath(configured, Environment.CurrentDirectory);
            var content = OriginsFileLoader.Load(path, options.Limits.MinIntervalMs);
            var managed = content.Parsed ? new HashSet<string>(content.ManagedIds, StringComparer.Ordinal) : state.Load();
            status = new OriginsFileStatus(path, managed, content);
            builder.Services.AddSingleton<IIncomingGrainCallFilter, OriginsFileGuard>(); // what AddIncomingGrainCallFilter registers
        }
        builder.Services.AddSingleton(status);
        builder.Services.AddSingleton(state);
        builder.Services.AddHostedService<OriginsFileApplier>();
        return builder;
    }
}
