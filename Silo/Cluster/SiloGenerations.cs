using System.Diagnostics;
using Heck.Membership.Orleans;
using Orleans.Runtime;

namespace Heck.Silo.Cluster;

/// <summary>
/// Runs the silo as a series of host generations inside one process. When the cluster declares the running
/// generation dead, it stops that host cleanly (its journal, HTTP port, Orleans and SWIM sockets are released), waits
/// as <see cref="RejoinBackoff"/> says, and builds and starts a new host: a new Orleans and SWIM generation on the
/// same ports and data, joining through the configured seeds plus the peers the dead generation knew. No outside
/// supervisor is needed, and after its first start the process never ends on its own; the stop token (the process's
/// stop signal) ends it at any point. A configuration error or a failed start of the first generation ends it as
/// before; a later generation that fails to build or start is retried.
/// </summary>
public sealed class SiloGenerations(string[] args, Action<WebApplicationBuilder>? customize = null)
{
    /// <summary>
    /// How long a generation the cluster declared dead may take to stop gracefully before Orleans stops it abruptly:
    /// the cluster already moved its origins, its journal holds its writes, and the rejoin waits for its ports.
    /// </summary>
    private static readonly TimeSpan DeadStopLimit = TimeSpan.FromSeconds(5);

    private readonly RejoinBackoff _backoff = new();

    /// <summary>Runs until <paramref name="stop"/> or until a host stops by itself; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        IReadOnlyList<string> peers = [];
        for (var generation = 0; ; generation++)
        {
            var (rejoin, lifetime) = await RunOneAsync(new RejoinSignal(peers, generation), stop).ConfigureAwait(false);
            if (rejoin is null || stop.IsCancellationRequested) return 0;
            // A rejoin that failed keeps the peers it was given: the ones that beat us are still the best bet.
            if (rejoin.Peers.Count > 0) peers = rejoin.Peers;
            var wait = _backoff.Next(lifetime);
            if (wait <= TimeSpan.Zero) continue;
            try
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
        }
    }

    /// <summary>One generation: null when the process should end, else why and through whom to rejoin; and how long it ran.</summary>
    private async Task<(RejoinRequest? Rejoin, TimeSpan? Lifetime)> RunOneAsync(RejoinSignal signal, CancellationToken stop)
    {
        WebApplication app;
        try
        {
            app = HeckHost.Build(args, customize, signal);
        }
        catch (Exception e) when (signal.Generation > 0)
        {
            // The first generation was built from this configuration, so this passes (a name that does not resolve yet).
            await Console.Error.WriteLineAsync($"heck: could not build generation {signal.Generation + 1} of this silo ({e.Message}); trying again").ConfigureAwait(false);
            return (new RejoinRequest("the host could not be built", signal.Peers), null);
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Heck.Silo.Rejoin");
        var clock = Stopwatch.StartNew();
        try
        {
            using (var starting = CancellationTokenSource.CreateLinkedTokenSource(stop, signal.Token))
            {
                try
                {
                    await app.StartAsync(starting.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return (null, clock.Elapsed); // a stop signal during the start: stop, as a running host would
                }
                catch (Exception e) when (!stop.IsCancellationRequested && (signal.IsRequested || IsDeclaredDead(app) || signal.Generation > 0))
                {
                    // Declared dead while starting (a joiner the cluster gave up on), or a rejoin whose seeds did not
                    // answer yet: stop what started and try again as a new generation.
                    signal.Request($"this generation failed to start ({e.GetType().Name}: {e.Message})", Peers(app, signal));
                }
            }
            if (signal.Generation > 0 && !signal.IsRequested && !stop.IsCancellationRequested)
                logger.LogWarning("Rejoined the cluster as {Silo}, generation {Generation} of this process", Self(app), signal.Generation + 1);

            await WhenAnyAsync(stop, signal.Token, app.Lifetime.ApplicationStopping).ConfigureAwait(false);
            if (stop.IsCancellationRequested || !signal.IsRequested) return (null, clock.Elapsed);
            var request = await signal.Requested.ConfigureAwait(false);
            logger.LogWarning("Rejoining: {Reason}; stopping {Silo} and starting a new generation through the configured seeds{Peers}",
                request.Reason, Self(app), request.Peers.Count > 0 ? " and " + string.Join(", ", request.Peers) : "");
            return (request, clock.Elapsed);
        }
        finally
        {
            // A stop signal gets the host's usual graceful stop (HostOptions.ShutdownTimeout), a dead generation a short one.
            await StopAsync(app, logger, signal.IsRequested && !stop.IsCancellationRequested ? DeadStopLimit : null).ConfigureAwait(false);
        }
    }

    private static async Task StopAsync(WebApplication app, ILogger logger, TimeSpan? limit)
    {
        try
        {
            using var cancel = limit is { } l ? new CancellationTokenSource(l) : new CancellationTokenSource();
            await app.StopAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException or InvalidOperationException)
        {
            logger.LogWarning(e, "This generation did not stop cleanly; disposing it");
        }
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private static bool IsDeclaredDead(WebApplication app) => app.Services.GetService<SwimMembership>() is { IsDeclaredDead: true };

    private static IReadOnlyList<string> Peers(WebApplication app, RejoinSignal signal) =>
        app.Services.GetService<SwimMembership>()?.PeerEndpoints() is { Count: > 0 } peers ? peers : signal.Peers;

    private static SiloAddress Self(WebApplication app) => app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>Completes when any of the tokens is cancelled (the registrations end with it).</summary>
    private static async Task WhenAnyAsync(params CancellationToken[] tokens)
    {
        using var any = CancellationTokenSource.CreateLinkedTokenSource(tokens);
        try
        {
            await Task.Delay(Timeout.Infinite, any.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // one of them ended
        }
    }
}
