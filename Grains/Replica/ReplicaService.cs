using System.Buffers;
using Heck.Grains.Cluster;
using Heck.Grains.Metrics;
using Heck.Replication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Heck.Grains.Replica;

/// <summary>
/// The network face of this silo's <see cref="LocalReplica"/>: pushes deltas to a few random live
/// peers every gossip interval, runs version-vector anti-entropy with one peer every
/// anti-entropy interval, and merges what peers send. An Orleans grain service: one per silo,
/// outside the grain directory, so no silo's death can deactivate it (a pinned grain was, and
/// when that took every survivor's replica at once gossip stopped). Requests interleave, so a
/// slow peer never holds up merging what others send.
/// </summary>
public sealed class ReplicaService(
    GrainId grainId, Orleans.Runtime.Silo silo, ILoggerFactory loggerFactory,
    LocalReplica replica, IClusterMembershipService membership, IReplicaServiceClient peers,
    IOptions<GossipOptions> options, GossipGate gate, Serializer serializer, TimeProvider time, ReplicaMetrics metrics)
    : GrainService(grainId, silo, loggerFactory), IReplicaService
{
    private readonly GossipOptions _options = options.Value;
    private readonly ILogger _logger = loggerFactory.CreateLogger<ReplicaService>();
    private readonly GossipPlanner _planner = new(new Random(), time, TimeSpan.FromMilliseconds(options.Value.ReplicaRetentionMs));
    // Reused to measure what a message weighs on the wire (turns of a system target never run in parallel).
    private readonly ArrayBufferWriter<byte> _measure = new();
    private readonly HashSet<SiloAddress> _inFlight = [];
    private readonly List<IGrainTimer> _timers = [];

    /// <summary>Loads the replica from its journal before the silo joins, so a storage problem stops the silo at start.</summary>
    public override Task Init(IServiceProvider serviceProvider)
    {
        replica.Load();
        _planner.Expect(replica.FormerPeers.Where(p => p != replica.Self));
        return base.Init(serviceProvider);
    }

    /// <summary>Starts gossip once the silo is active (peers can push to it from registration on).</summary>
    public override async Task Start()
    {
        await base.Start();
        var interval = TimeSpan.FromMilliseconds(_options.IntervalMs);
        var antiEntropy = TimeSpan.FromMilliseconds(_options.AntiEntropyIntervalMs);
        _timers.Add(RegisterGrainTimer(GossipRoundAsync, interval, interval));
        _timers.Add(RegisterGrainTimer(AntiEntropyRoundAsync, antiEntropy, antiEntropy));
    }

    /// <summary>
    /// As the silo starts stopping: one last push of what each active peer lacks (a write this silo
    /// acknowledged a moment ago may exist nowhere else), then no more gossip. A system target's
    /// timers outlive <c>Stop</c>, and a stopping silo is declared dead before its runtime ends, so
    /// without disposing them it would go on pushing to peers that already have it dead.
    /// </summary>
    public override async Task Stop()
    {
        foreach (var timer in _timers) timer.Dispose();
        _timers.Clear();
        if (gate.IsOpen) await Task.WhenAll(membership.CurrentSnapshot.ActivePeers(Silo).Select(PushToAsync));
        replica.StampActive();
        await base.Stop();
    }

    public Task<VersionVector> Push(SiloAddress sender, VersionVector senderVersion, Delta delta)
    {
        if (!gate.IsOpen) throw new GossipClosedException();
        RefuseIfDead(sender);
        // What the sender has need not be sent back to it.
        _planner.Peers.Heard(LocalReplica.IdOf(sender), senderVersion);
        metrics.Heard(LocalReplica.IdOf(sender), replica.Version, senderVersion);
        metrics.DeltaReceived();
        replica.Apply(delta);
        return Task.FromResult(Counted(replica.Version));
    }

    public Task<PullResult> Pull(SiloAddress caller, VersionVector version)
    {
        if (!gate.IsOpen) throw new GossipClosedException();
        RefuseIfDead(caller);
        _planner.Peers.Heard(LocalReplica.IdOf(caller), version); // our next push to it is cut against this
        var result = new PullResult(replica.DeltaSince(_options.FullState ? VersionVector.Empty : version), replica.Version);
        if (!result.Delta.IsEmpty) metrics.DeltaSent();
        return Task.FromResult(Counted(result));
    }

    // A silo declared dead may still be running (paused, then resumed) and must not spread state
    // it wrote after its death was decided; its restart is a new generation with a new address.
    private void RefuseIfDead(SiloAddress sender)
    {
        if (membership.CurrentSnapshot.GetSiloStatus(sender) != SiloStatus.Dead) return;
        metrics.RefusedOne();
        throw new GossipRefusedException($"gossip from {sender} refused: membership has it dead");
    }

    public Task<long?> HeldBackSince() => Task.FromResult(replica.HeldBackStampMs);

    public Task<ReplicaStats> GetStats()
    {
        var state = replica.State;
        return Task.FromResult(new ReplicaStats
        {
            Replica = replica.Self.ToString(),
            Origins = replica.Count,
            Records = state.RecordCount,
            BytesSent = metrics.BytesSent,
            DeltasSent = metrics.DeltasSent,
            DeltasReceived = metrics.DeltasReceived,
            FullStateBytes = state.EstimatedBytes,
            Mode = _options.Mode.ToString().ToLowerInvariant(),
            Refused = metrics.Refused,
            FullState = _options.FullState,
            FullStateSerializedBytes = SerializedSize(state.DeltaSince(VersionVector.Empty)),
        });
    }

    private Task GossipRoundAsync(CancellationToken ct)
    {
        if (!gate.IsOpen) return Task.CompletedTask;
        // Not awaited: the timer's next tick waits for its callback, so a slow peer would stretch
        // every round. A peer with an exchange still in flight is skipped this round.
        foreach (var peer in Pick(_options.Fanout, except: _inFlight))
        {
            _inFlight.Add(peer);
            _ = ExchangeAsync(peer);
        }
        return Task.CompletedTask;
    }

    private async Task ExchangeAsync(SiloAddress peer)
    {
        try
        {
            await (_options.Mode == GossipMode.Pull ? PullFromAsync(peer) : PushToAsync(peer));
        }
        finally
        {
            _inFlight.Remove(peer); // on this service's scheduler, like every turn: no lock needed
        }
    }

    private async Task AntiEntropyRoundAsync(CancellationToken ct)
    {
        if (!gate.IsOpen) return;
        replica.StampActive([.. _planner.Peers.Known.Keys.Union(_planner.Departed.Keys)]);
        if (replica.IsHoldingBackJournal) await ResolveHeldBackJournalAsync();
        var peers = Pick(1);
        if (peers.Count == 0) return;
        // Push-pull: learn what we lack, then send what the peer lacks. Push mode only pushes
        // and pull mode only pulls, so the three modes can be compared.
        if (_options.Mode != GossipMode.Push) await PullFromAsync(peers[0]);
        if (_options.Mode != GossipMode.Pull) await PushToAsync(peers[0]);
        Prune();
    }

    /// <summary>
    /// A journal too old to trust (see <see cref="JournalRecovery"/>): asks every live peer for its
    /// whole state, then takes the cluster's registry over the journal's, or adopts the journal when
    /// no peer has anything. Peers that do not answer are asked again next round.
    /// </summary>
    private async Task ResolveHeldBackJournalAsync()
    {
        var live = membership.CurrentSnapshot.ActivePeers(Silo);
        var answers = await Task.WhenAll(live.Select(async peer =>
        {
            try
            {
                var service = peers.Of(peer);
                var timeout = TimeSpan.FromMilliseconds(_options.CallTimeoutMs);
                var result = await service.Pull(Silo, VersionVector.Empty).WaitAsync(timeout);
                replica.Apply(result.Delta);
                long? heldBack = null;
                if (result.Version.IsEmpty)
                    try { heldBack = await service.HeldBackSince().WaitAsync(timeout); }
                    catch (Exception ex) when (ex is not OperationCanceledException) { _logger.LogDebug(ex, "{Peer} did not say whether it holds back its journal", peer); }
                _planner.Peers.Heard(LocalReplica.IdOf(peer), result.Version);
                return new JournalRecovery.PeerAnswer(LocalReplica.IdOf(peer), !result.Version.IsEmpty, heldBack);
            }
            catch (Exception ex)
            {
                _logger.LogDebug(ex, "Full pull from {Peer} failed", peer);
                return (JournalRecovery.PeerAnswer?)null;
            }
        }));
        var decision = JournalRecovery.Decide(replica.Self, replica.HeldBackStampMs ?? 0, live.Count,
            [.. answers.Where(a => a is not null).Select(a => a!.Value)]);
        switch (decision)
        {
            case JournalRecovery.Decision.Adopt: replica.AdoptJournal(); break;
            case JournalRecovery.Decision.Discard: replica.DiscardJournal(); break;
        }
    }

    /// <summary>
    /// Drops slots of dead silo generations (and superseded records) once every live replica has
    /// seen what it needs; vectors come from peers' answers, which only lag, so the frontier errs
    /// on the safe side.
    /// </summary>
    private void Prune()
    {
        var snapshot = membership.CurrentSnapshot;
        var dead = snapshot.DeadSilos().Select(LocalReplica.IdOf).ToList();
        // A causal read does not wait for a dead writer's dot that has not arrived by now.
        replica.NoteDeparted(dead);
        var plan = _planner.PlanPrune(replica.Self, replica.State, snapshot.ActivePeers(Silo).Select(LocalReplica.IdOf), dead);
        if (plan is not null) replica.Prune(plan);
    }

    private async Task PushToAsync(SiloAddress peer)
    {
        var since = _options.FullState ? VersionVector.Empty : _planner.Peers.CutFor(LocalReplica.IdOf(peer), replica.Version);
        var delta = replica.DeltaSince(since);
        if (delta.IsEmpty) return;
        try
        {
            metrics.DeltaSent();
            var version = await peers.Of(peer).Push(Silo, Counted(replica.Version), Counted(delta))
                .WaitAsync(TimeSpan.FromMilliseconds(_options.CallTimeoutMs));
            _planner.Peers.Heard(LocalReplica.IdOf(peer), version);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Gossip push to {Peer} failed", peer);
        }
    }

    private async Task PullFromAsync(SiloAddress peer)
    {
        try
        {
            var mine = _options.FullState ? VersionVector.Empty : replica.Version;
            var result = await peers.Of(peer).Pull(Silo, Counted(mine))
                .WaitAsync(TimeSpan.FromMilliseconds(_options.CallTimeoutMs));
            metrics.DeltaReceived();
            metrics.Heard(LocalReplica.IdOf(peer), replica.Version, result.Version);
            replica.Apply(result.Delta);
            _planner.Peers.Heard(LocalReplica.IdOf(peer), result.Version);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Gossip pull from {Peer} failed", peer);
        }
    }

    private List<SiloAddress> Pick(int count, IReadOnlySet<SiloAddress>? except = null) =>
        _planner.Pick(membership.CurrentSnapshot.ActivePeers(Silo), LocalReplica.IdOf, count, except);

    /// <summary>Adds what <paramref name="payload"/> weighs serialized to the bytes this replica sent.</summary>
    private T Counted<T>(T payload)
    {
        metrics.Sent(SerializedSize(payload));
        return payload;
    }

    private int SerializedSize<T>(T payload)
    {
        _measure.ResetWrittenCount();
        serializer.Serialize(payload, _measure);
        return _measure.WrittenCount;
    }
}

/// <summary>Thrown to a peer while this silo's gossip gate is closed.</summary>
[GenerateSerializer, Alias("heck.GossipClosedException")]
public sealed class GossipClosedException() : Exception("this replica's gossip is closed");
