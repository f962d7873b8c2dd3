using Heck.Grains.Origins;
using Microsoft.Extensions.Options;
using Heck.Grains.Cluster;
using Heck.Grains.Replica;
using Heck.Origins;
using Heck.Silo.Api;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// Applies the origins file once the silo runs and again whenever its text changes (read every
/// <see cref="PollInterval"/>; polling, not a FileSystemWatcher, because watchers miss the
/// symlink swap of a Kubernetes ConfigMap and changes on some bind mounts, and a small file read
/// every 2 s costs nothing). Only a change or a failed write makes it write: the same file on
/// several silos applies once and then agrees, since an identical spec is never written again.
/// Nothing here stops the silo: bad entries, an unparseable file and refused writes are logged,
/// shown by <c>GET /api/origins-file</c>, and retried at the next poll.
/// </summary>
public sealed class OriginsFileApplier(
    OriginsFileStatus status, OriginsFileState state, LocalReplica replica, IGrainFactory grains,
    IClusterMembershipService membership, ILocalSiloDetails silo, TimeProvider time, IOptions<LimitsOptions> limits,
    ILogger<OriginsFileApplier> logger)
    : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    /// <summary>How long a joining silo waits for its peers' registry before its first apply.</summary>
    public static readonly TimeSpan CatchUpBound = TimeSpan.FromSeconds(6);

    // What the file managed after the last apply (as in the state file), the text last applied,
    // the text (or read error) last logged, and whether writes of the last apply failed.
    private IReadOnlySet<string> _managed = new HashSet<string>();
    private string? _appliedText;
    private string? _reported;
    private bool _retry;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (status.Path is not { } path)
        {
            // No file any more: forget what one managed, so its origins become ordinary ones and a
            // file configured later never deletes them.
            state.Clear();
            return;
        }
        _managed = state.Load();
        await CatchUpAsync(stoppingToken);
        using var timer = new PeriodicTimer(PollInterval, time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollAsync(path, stoppingToken);
                await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Reads the file; applies it when its text changed or the last apply left writes undone.</summary>
    private async Task PollAsync(string path, CancellationToken ct)
    {
        try
        {
            var text = Read(path, out var readError);
            if (text is not null && text == _appliedText && !_retry) return;
            var content = text is null ? OriginsFileContent.Unreadable(path, readError!) : OriginsFileLoader.Parse(path, text, limits.Value.MinIntervalMs);
            if ((text ?? readError) != _reported)
            {
                Report(content);
                _reported = text ?? readError;
            }
            (_managed, _retry) = await ApplyAsync(content, _managed, ct);
            _appliedText = text;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Never let the file stop the silo; try again at the next poll.
            logger.LogError(ex, "Heck:OriginsFile {Path}: applying failed; retrying in {Interval}", path, PollInterval);
            _retry = true;
        }
    }

    /// <summary>
    /// A silo joining a running cluster with an empty replica would find none of the file's origins
    /// and write them all again: new versions of identical specs, gossiped to everyone. So while it
    /// has peers and has received nothing from any of them, it waits for gossip (anti-entropy runs
    /// every 2 s by default), at most <see cref="CatchUpBound"/>.
    /// </summary>
    private async Task CatchUpAsync(CancellationToken ct)
    {
        try
        {
            var deadline = time.GetUtcNow() + CatchUpBound;
            while (time.GetUtcNow() < deadline
                   && membership.CurrentSnapshot.ActivePeers(silo.SiloAddress).Count > 0
                   && !replica.Version.Contiguous.Keys.Any(r => r != replica.Self))
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a cost: the first apply may write identical specs again.
            logger.LogWarning(ex, "Heck:OriginsFile: could not wait for the peers' registry; applying now");
        }
    }

    private static string? Read(string path, out string? error)
    {
        try
        {
            error = null;
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot be read: {ex.Message}";
            return null;
        }
    }

    private void Report(OriginsFileContent content)
    {
        foreach (var error in content.Errors)
            logger.LogWarning("{Error}", error.Describe(content.Path) + (content.Parsed ? "; this entry is not applied" : "; nothing from the file is applied until it parses"));
    }

    private async Task<(IReadOnlySet<string> Managed, bool Retry)> ApplyAsync(OriginsFileContent content, IReadOnlySet<string> managedBefore, CancellationToken ct)
    {
        var plan = OriginsFilePlan.Make(content, managedBefore, replica.Spec);
        if (plan.Upserts.Count + plan.Deletes.Count == 0) return Finish(content, managedBefore, plan, [], [], [], plan.Managed);
        // The file's own writes pass the guard that refuses everyone else's.
        RequestContext.Set(OriginsFileGuard.AppliedByFileKey, true);
        try
        {
            return await WriteAsync(content, managedBefore, plan, ct);
        }
        finally
        {
            RequestContext.Remove(OriginsFileGuard.AppliedByFileKey);
        }
    }

    private async Task<(IReadOnlySet<string> Managed, bool Retry)> WriteAsync(OriginsFileContent content, IReadOnlySet<string> managedBefore, OriginsFilePlan plan, CancellationToken ct)
    {
        var upserted = new List<string>();
        var deleted = new List<string>();
        var failures = new List<string>();
        var stillManaged = new HashSet<string>(plan.Managed, StringComparer.Ordinal);
        foreach (var spec in plan.Upserts)
        {
            try
            {
                var result = await ClusterUnavailable.RetryAsync(() => grains.GetGrain<IOriginGrain>(spec.Id).Configure(spec), ct);
                if (result.Refused is { } refused) failures.Add($"{spec.Id}: refused: {refused.Detail}");
                else if (result.Errors.Count == 0) upserted.Add(spec.Id);
                else failures.Add($"{spec.Id}: refused: {string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}"))}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                failures.Add($"{spec.Id}: not applied: {ex.Message}");
            }
        }
        foreach (var id in plan.Deletes)
        {
            try
            {
                await ClusterUnavailable.RetryAsync(() => grains.GetGrain<IOriginGrain>(id).Remove(), ct);
                deleted.Add(id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                stillManaged.Add(id); // remembered, so the delete is tried again
                failures.Add($"{id}: not deleted: {ex.Message}");
            }
        }
        return Finish(content, managedBefore, plan, upserted, deleted, failures, stillManaged);
    }

    private (IReadOnlySet<string> Managed, bool Retry) Finish(OriginsFileContent content, IReadOnlySet<string> managedBefore, OriginsFilePlan plan,
        List<string> upserted, List<string> deleted, List<string> failures, IReadOnlySet<string> stillManaged)
    {
        if (!stillManaged.SetEquals(managedBefore)) state.Save(content.Path, stillManaged);

        var report = new OriginsFileStatus.ApplyReport(time.GetUtcNow(), upserted, deleted, plan.Unchanged, failures);
        status.Update(content, stillManaged, report);
        foreach (var failure in failures) logger.LogWarning("Heck:OriginsFile {Path}: {Failure}; retrying in {Interval}", content.Path, failure, PollInterval);
        if (upserted.Count + deleted.Count > 0)
            logger.LogInformation("Heck:OriginsFile {Path} applied: {Upserted} created or updated, {Deleted} deleted, {Unchanged} unchanged",
                content.Path, upserted.Count, deleted.Count, plan.Unchanged);
        return (stillManaged, failures.Count > 0);
    }
}
