using System.Collections.Concurrent;
using System.Globalization;
using Heck.Membership.Swim;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Runtime;

namespace Heck.Membership.Orleans;

/// <summary>
/// Orleans' <see cref="IMembershipTable"/> over the local SWIM view. SWIM is the only failure detector:
/// rows come from members' SWIM metadata, statuses from SWIM (Dead and Left read as Dead), the table version
/// never falls and is equal on silos with equal views (<see cref="TableVersionClock"/>), and the only writes accepted are this silo's own row. When SWIM
/// declares this silo dead, its own row reads Dead, which makes Orleans stop the silo. See README.md.
/// </summary>
public sealed class SwimMembershipTable : IMembershipTable
{
    /// <summary>IAmAliveTime of live members is "now", rounded down to this, so idle reads stay identical.</summary>
    internal static readonly TimeSpan AliveTimeGranularity = TimeSpan.FromSeconds(10);

    private readonly SwimMembership _swim;
    private readonly ILocalSiloDetails _local;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly ConcurrentDictionary<SiloAddress, DateTime> _lastSeenAlive = new();
    private readonly Lock _startGate = new();
    // Guards _own's published form and the version clock: a read may raise the retired weight while a write publishes.
    private readonly Lock _ownGate = new();
    private readonly TableVersionClock _clock = new();
    private Task? _started;
    private OrleansMember? _own;

    internal SwimMembershipTable(SwimMembership swim, ILocalSiloDetails local, ILogger<SwimMembershipTable>? logger = null, TimeProvider? time = null)
    {
        _swim = swim ?? throw new ArgumentNullException(nameof(swim));
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Starts the SWIM agent; with seeds, completes when one answered (bounded by <see cref="SwimClusteringOptions.JoinTimeout"/>).</summary>
    public Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        _ = tryInitTableVersion; // nothing to create: the "table" is the view
        lock (_startGate)
        {
            if (_started is null || _started.IsFaulted || _started.IsCanceled) _started = StartAsync();
            return _started;
        }
    }

    private Task StartAsync()
    {
        var silo = _local.SiloAddress;
        var initial = new OrleansMember(
            silo,
            SiloStatus.Created,
            _local.GatewayAddress?.Endpoint?.Port ?? 0,
            _local.Name,
            _local.DnsHostName,
            null,
            _time.GetUtcNow().UtcDateTime,
            _local.ClusterId,
            0);
        _own = initial;
        return _swim.StartAsync(silo.Endpoint.Address.ToString(), initial.ToMetadata(), CancellationToken.None);
    }

    public Task<MembershipTableData> ReadAll() => Task.FromResult(Read(null));

    public Task<MembershipTableData> ReadRow(SiloAddress key) => Task.FromResult(Read(key));

    /// <summary>Only this silo's first row is accepted (it becomes SWIM metadata); rows of others are refused.</summary>
    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!IsSelf(entry.SiloAddress)) return RefuseOther(entry, nameof(InsertRow));
        await _writes.WaitAsync().ConfigureAwait(false);
        try
        {
            // The row exists once this silo wrote any status (before that, reads do not list it).
            if (OwnStatus() != SiloStatus.Created) return false;
            return await WriteOwnAsync(entry).ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>
    /// Only this silo's row: Joining/Active/ShuttingDown/Stopping become SWIM metadata (a new incarnation), Dead a
    /// graceful SWIM leave. The row etag must match (it changes with each own write); the table version etag is not
    /// checked, since nobody else writes this row and SWIM merges everything else commutatively.
    /// </summary>
    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!IsSelf(entry.SiloAddress)) return RefuseOther(entry, nameof(UpdateRow));
        await _writes.WaitAsync().ConfigureAwait(false);
        try
        {
            if (OwnStatus() == SiloStatus.Created) return false; // no row yet: InsertRow first
            // Dead is final and idempotent (e.g. written while stopping after SWIM declared us dead): no etag check.
            if (entry.Status != SiloStatus.Dead && !string.Equals(etag, _own!.ETag, StringComparison.Ordinal)) return false;
            return await WriteOwnAsync(entry).ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>No-op: SWIM's probes are the liveness evidence; reads report live members as alive "now".</summary>
    public Task UpdateIAmAlive(MembershipEntry entry) => Task.CompletedTask;

    /// <summary>
    /// No-op: dead members stay in the SWIM view as tombstones (views converge through them) until SWIM's
    /// DeadRetention expires them; nobody writes them, so there is nothing to delete here.
    /// </summary>
    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        _logger.LogDebug("SWIM membership: CleanupDefunctSiloEntries({Before}) ignored; dead members are SWIM tombstones", beforeDate);
        return Task.CompletedTask;
    }

    /// <summary>No-op: there is no stored table to delete; the view lives only in the running members.</summary>
    public Task DeleteMembershipTableEntries(string clusterId)
    {
        _logger.LogDebug("SWIM membership: DeleteMembershipTableEntries({ClusterId}) ignored; nothing is stored", clusterId);
        return Task.CompletedTask;
    }

    private bool IsSelf(SiloAddress? address) => address is not null && address.Equals(_local.SiloAddress);

    private SiloStatus OwnStatus() => _own?.Status ?? SiloStatus.None;

    private bool RefuseOther(MembershipEntry entry, string operation)
    {
        // Orleans' own probing runs with LivenessEnabled = false; its suspicion votes and kills land here.
        _logger.LogDebug("SWIM membership: refused {Operation} for {Silo} ({Status}); only SWIM decides other silos' statuses", operation, entry.SiloAddress, entry.Status);
        return false;
    }

    private async Task<bool> WriteOwnAsync(MembershipEntry entry)
    {
        var host = _swim.Host;
        if (host is null) return false;
        var current = _own!;
        if (entry.Status == SiloStatus.Dead)
        {
            if (current.Status == SiloStatus.Dead || host.IsDeclaredDead) return true; // already gone

            _own = current with { Status = SiloStatus.Dead, Writes = current.Writes + 1 };
            _logger.LogInformation("SWIM membership: {Silo} is Dead to Orleans; leaving the SWIM cluster gracefully", entry.SiloAddress);
            await _swim.LeaveAsync().ConfigureAwait(false);
            return true;
        }
        if (host.IsDeclaredDead || entry.Status is SiloStatus.None or SiloStatus.Created || entry.Status < current.Status)
        {
            // Statuses only move forward within a generation; the published rank must stay monotone.
            return false;
        }
        OrleansMember next;
        lock (_ownGate)
        {
            next = current with
            {
                Status = entry.Status,
                ProxyPort = entry.ProxyPort != 0 ? entry.ProxyPort : current.ProxyPort,
                SiloName = string.IsNullOrEmpty(entry.SiloName) ? current.SiloName : entry.SiloName,
                HostName = string.IsNullOrEmpty(entry.HostName) ? current.HostName : entry.HostName,
                RoleName = string.IsNullOrEmpty(entry.RoleName) ? current.RoleName : entry.RoleName,
                StartTime = entry.StartTime == default ? current.StartTime : DateTime.SpecifyKind(entry.StartTime, DateTimeKind.Utc),
                Writes = current.Writes + 1,
                Retired = _clock.Retired,
            };
            _own = next;
            _swim.UpdateMetadata(next.ToMetadata());
        }
        _logger.LogInformation("SWIM membership: {Silo} is now {Status}", entry.SiloAddress, entry.Status);
        return true;
    }

    /// <summary>The view as a table; <paramref name="only"/> limits the rows to one silo (the version is the table's).</summary>
    private MembershipTableData Read(SiloAddress? only)
    {
        var view = _swim.View ?? throw new InvalidOperationException("The SWIM membership table is not initialized (InitializeMembershipTable was not called or failed).");
        var now = _time.GetUtcNow().UtcDateTime;
        var aliveTime = new DateTime(now.Ticks - now.Ticks % AliveTimeGranularity.Ticks, DateTimeKind.Utc);
        var rows = new Dictionary<SiloAddress, (MembershipEntry Entry, string ETag)>();
        foreach (var member in view.Members)
        {
            if (OrleansMember.TryParse(member.Metadata) is not { } orleans) continue;
            if (orleans.ClusterId is { Length: > 0 } cluster && !string.Equals(cluster, _local.ClusterId, StringComparison.Ordinal)) continue;
            if (only is not null && !orleans.Silo.Equals(only)) continue;
            var final = member.Status.IsFinal();
            var status = final ? SiloStatus.Dead : orleans.Status;
            if (status is SiloStatus.None or SiloStatus.Created) continue; // not registered with Orleans yet
            DateTime iAmAlive;
            if (final) iAmAlive = _lastSeenAlive.TryGetValue(orleans.Silo, out var seen) ? seen : orleans.StartTime;
            else _lastSeenAlive[orleans.Silo] = iAmAlive = aliveTime;
            var entry = new MembershipEntry
            {
                SiloAddress = orleans.Silo,
                Status = status,
                ProxyPort = orleans.ProxyPort,
                HostName = orleans.HostName,
                SiloName = orleans.SiloName,
                RoleName = orleans.RoleName,
                StartTime = orleans.StartTime,
                IAmAliveTime = iAmAlive,
                SuspectTimes = [], // never votes: Orleans would act on them
            };
            // Two SWIM members claiming one silo address cannot happen normally; keep the most advanced.
            if (!rows.TryGetValue(orleans.Silo, out var existing) || existing.Entry.Status < status)
                rows[orleans.Silo] = (entry, orleans.ETag);
        }
        var list = rows.Values.Select(r => Tuple.Create(r.Entry, r.ETag)).ToList();
        return new MembershipTableData(list, NextVersion(view));
    }

    /// <summary>The version of this read; when members expired from the view, our raised retired weight is published.</summary>
    private TableVersion NextVersion(SwimView view)
    {
        lock (_ownGate)
        {
            var version = _clock.Next(view, out var raised);
            if (raised && _own is { } own)
            {
                // Not a row write: the etag (write count) stays, only the weight that keeps versions from falling rises.
                _own = own with { Retired = _clock.Retired };
                if (own.Status != SiloStatus.Dead) _swim.UpdateMetadata(_own.ToMetadata());
            }
            return Clamp(version);
        }
    }

    /// <summary>Clamped below int.MaxValue (so that Orleans' <c>Next()</c> cannot overflow). See <see cref="TableVersionClock"/>.</summary>
    internal static TableVersion Clamp(long version)
    {
        var v = (int)Math.Clamp(version, 0, int.MaxValue - 1);
        return new TableVersion(v, v.ToString(CultureInfo.InvariantCulture));
    }
}
