using Heck.Origins;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// Registers the origins file's entries once the silo runs. Upsert only: an unchanged entry keeps
/// its health and schedule, and origins absent from the file are left alone (remove them by API).
/// </summary>
public sealed class OriginsFileApplier(IReadOnlyList<OriginSpec> specs, IGrainFactory grains, ILogger<OriginsFileApplier> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var spec in specs)
        {
            var result = await grains.GetGrain<IOriginGrain>(spec.Id).Configure(spec);
            if (result.Errors.Count > 0) // cannot happen for a validated spec; say so loudly if it does
                throw new InvalidOperationException($"Origin '{spec.Id}' from the origins file was refused: {string.Join("; ", result.Errors)}");
        }
        if (specs.Count > 0) logger.LogInformation("Applied {Count} origins from the origins file", specs.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
