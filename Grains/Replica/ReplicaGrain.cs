using System.Buffers;
using Heck.Grains.Placement;
using Heck.Replication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Heck.Grains.Replica;

/// <summary>
/// The network face of this silo's <see cref="LocalReplica"/>: pushes deltas to a few random live
/// peers every gossip interval, runs version-vector anti-entropy with one peer every
/// anti-entropy interval, and merges what peers send. Reentrant: a slow peer never holds up
/// merging what others send. Pinned to its silo.
/// </summary>
[SiloPinnedPlacement, Reentrant, GrainType("replica")]
public sealed class ReplicaGrain(
    LocalReplica replica, IClusterMembershipService membership, ILocalSiloDetails silo,
    IOptions<GossipOptions> options, GossipGate gate, Serializer serializer, ReplicaLifecycle lifecycle, ILogger<ReplicaGrain> logger)
    : Grain, IReplicaGrain
{
    private readonly GossipOptions _options = options.Value;
    // What each peer is known to have seen: deltas are cut against it, so a peer is sent only what
    // it lacks; an unknown peer (a joiner) gets the full state. Used from this grain's turns only.
    private readonly PeerVersions _peers = new();
    private readonly Random _random = new();
    private PruneFrontier _frontier = PruneFrontier.Initial;
    private bool _started;
    private long _bytesSent, _deltasSent, _deltasReceived, _refused;
    // Reused to measure what a message weighs on the wire (grain turns never run in parallel).
    private readonly ArrayBufferWriter<byte> _measure = new();
    private readonly HashSet<SiloAddress> _inFlight = [];

    public static IReplicaGrain Of(IGrainFactory grains, SiloAddress silo) =>
        grains.GetGrain<IReplicaGrain>(SiloPinnedPlacement.KeyOf(silo));

    // Gossip runs wherever this grain is active: Orleans may deactivate it (e.g. when the grain
    // directory loses its entry as silos die), and a peer's Push or Pull or the silo's own
    // ReplicaLifecycle re-activates it; without this, the new activation would only answer.
    public override Task OnActivateAsync(CancellationToken cancellationToken) => Start();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Only the silo itself should stop gossip (by stopping); anything else — above all the loss
        // of a dead silo's directory partition — is undone by the silo starting its replica again.
        if (reason.ReasonCode != DeactivationReasonCode.ShuttingDown)
        {
            logger.LogInformation("Replica grain deactivating ({Reason}); the silo starts it again", reason);
            lifecycle.ReplicaDeactivating();
        }
        return Task.CompletedTask;
    }

    public Task Start()
    {
        if (_started) return Task.CompletedTask;
        _started = true;
        var interval = TimeSpan.FromMilliseconds(_options.IntervalMs);
        var antiEntropy = TimeSpan.FromMilliseconds(_options.AntiEntropyIntervalMs);
        this.RegisterGrainTimer(GossipRoundAsync, new GrainTimerCreationOptions(interval, interval) { Interleave = true, KeepAlive = true });
        this.RegisterGrainTimer(AntiEntropyRoundAsync, new GrainTimerCreationOptions(antiEntropy, antiEntropy) { Interleave = true, KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task<VersionVector> Push(SiloAddress sender, VersionVector senderVersion, Delta delta)
    {
        if (!gate.IsOpen) throw new GossipClosedException();
        RefuseIfDead(sender);
        // What the sender has need not be sent back to it: without this every record bounced back
        // to whoever pushed it, until that peer's next answer told us otherwise.
        _peers.Heard(LocalReplica.IdOf(sender), senderVersion);
        Interlocked.Increment(ref _deltasReceived);
        replica.Apply(delta);
        return Task.FromResult(Counted(replica.Version));
    }

    public Task<PullResult> Pull(SiloAddress caller, VersionVector version)
    {
        if (!gate.IsOpen) throw new GossipClosedException();
        RefuseIfDead(caller);
        _peers.Heard(LocalReplica.IdOf(caller), version); // likewise: our next push to it is cut against this
        var result = new PullResult(replica.DeltaSince(_options.FullState ? VersionVector.Empty : version), replica.Version);
        if (!result.Delta.IsEmpty) Interlocked.Increment(ref _deltasSent);
        return Task.FromResult(Counted(result));
    }

    // A silo declared dead may still be running (paused, then resumed) and must not spread state
    // it wrote after its death was decided; its restart is a new generation with a new address.
    private void RefuseIfDead(SiloAddress sender)
    {
        if (membership.CurrentSnapshot.GetSiloStatus(sender) != SiloStatus.Dead) return;
        Interlocked.Increment(ref _refused);
        throw new GossipRefusedException($"gossip from {sender} refused: membership has it dead");
    }

    public Task<ReplicaStats> GetStats()
    {
        var state = replica.State;
        return Task.FromResult(new ReplicaStats
        {
            Replica = replica.Self.ToString(),
            Origins = replica.Count,
            Records = state.RecordCount,
            BytesSent = Interlocked.Read(ref _bytesSent),
            DeltasSent = Interlocked.Read(ref _deltasSent),
            DeltasReceived = Interlocked.Read(ref _deltasReceived),
            FullStateBytes = state.EstimatedBytes,
            Mode = _options.Mode.ToString().ToLowerInvariant(),
            Refused = Interlocked.Read(ref _refused),
            FullState = _options.FullState,
            FullStateSerializedBytes = SerializedSize(state.DeltaSince(VersionVector.Empty)),
        });
    }

    private Task GossipRoundAsync(CancellationToken ct)
    {
        if (!gate.IsOpen) return Task.CompletedTask;
        // Not awaited: a grain timer's next tick waits for its callback, so a slow peer would
        // stretch every round. A peer with an exchange still in flight is skipped this round.
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
            _inFlight.Remove(peer); // on this activation's scheduler, like every turn: no lock needed
        }
    }

    private async Task AntiEntropyRoundAsync(CancellationToken ct)
    {
        if (!gate.IsOpen) return;
        var peers = Pick(1);
        if (peers.Count == 0) return;
        var peer = peers[0];
        // Push-pull: learn what we lack, then send what the peer lacks. Push mode only pushes
        // and pull mode only pulls, so the three modes can be compared.
        if (_options.Mode != GossipMode.Push) await PullFromAsync(peer);
        if (_options.Mode != GossipMode.Pull) await PushToAsync(peer);
        Prune();
    }

    /// <summary>
    /// Drops slots of dead silo generations (and superseded records) once every live replica has
    /// seen what it needs; vectors come from peers' answers, which only lag, so the frontier errs
    /// on the safe side. Skipped while any live peer has not answered yet.
    /// </summary>
    private void Prune()
    {
        var members = membership.CurrentSnapshot.Members.Values;
        var vectors = new Dictionary<ReplicaId, VersionVector> { [replica.Self] = replica.Version };
        foreach (var m in members.Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress)))
        {
            var id = LocalReplica.IdOf(m.SiloAddress);
            if (!_peers.TryGet(id, out var vector)) return;
            vectors[id] = vector;
        }
        _frontier = _frontier.Next(vectors);
        var dead = members.Where(m => m.Status == SiloStatus.Dead).Select(m => LocalReplica.IdOf(m.SiloAddress)).ToHashSet();
        if (dead.Count == 0) return;
        // A dead silo's slot stays while it is some origin's only health: readers keep seeing the
        // last known state until the new owner's first observation arrives.
        var state = replica.State;
        foreach (var entry in state.Registry.Live)
        {
            var slots = state.Health.Slots(entry.Id);
            if (slots.Count > 0 && slots.Keys.All(dead.Contains)) dead.ExceptWith(slots.Keys);
        }
        replica.Prune(dead, _frontier.Stable);
    }

    private async Task PushToAsync(SiloAddress peer)
    {
        var since = _options.FullState ? VersionVector.Empty : _peers.CutFor(LocalReplica.IdOf(peer), replica.Version);
        var delta = replica.DeltaSince(since);
        if (delta.IsEmpty) return;
        try
        {
            Interlocked.Increment(ref _deltasSent);
            var version = await Of(GrainFactory, peer).Push(silo.SiloAddress, Counted(replica.Version), Counted(delta))
                .WaitAsync(TimeSpan.FromMilliseconds(_options.CallTimeoutMs));
            _peers.Heard(LocalReplica.IdOf(peer), version);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Gossip push to {Peer} failed", peer);
        }
    }

    private async Task PullFromAsync(SiloAddress peer)
    {
        try
        {
            var mine = _options.FullState ? VersionVector.Empty : replica.Version;
            var result = await Of(GrainFactory, peer).Pull(silo.SiloAddress, Counted(mine))
                .WaitAsync(TimeSpan.FromMilliseconds(_options.CallTimeoutMs));
            Interlocked.Increment(ref _deltasReceived);
            replica.Apply(result.Delta);
            _peers.Heard(LocalReplica.IdOf(peer), result.Version);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Gossip pull from {Peer} failed", peer);
        }
    }

    /// <summary>Adds what <paramref name="payload"/> weighs serialized to the bytes this replica sent.</summary>
    private T Counted<T>(T payload)
    {
        Interlocked.Add(ref _bytesSent, SerializedSize(payload));
        return payload;
    }

    private int SerializedSize<T>(T payload)
    {
        _measure.ResetWrittenCount();
        serializer.Serialize(payload, _measure);
        return _measure.WrittenCount;
    }

    private List<SiloAddress> Pick(int count, IReadOnlySet<SiloAddress>? except = null)
    {
        var self = silo.SiloAddress;
        var live = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self))
            .Select(m => m.SiloAddress)
            .ToList();
        _peers.RetainOnly(live.Select(LocalReplica.IdOf).ToHashSet());
        if (except is { Count: > 0 }) live.RemoveAll(except.Contains);
        // Partial Fisher-Yates: the first `count` of a random permutation.
        for (var i = 0; i < Math.Min(count, live.Count); i++)
        {
            var j = _random.Next(i, live.Count);
            (live[i], live[j]) = (live[j], live[i]);
        }
        return live.Take(count).ToList();
    }
}

/// <summary>Thrown to a peer while this silo's gossip gate is closed.</summary>
[GenerateSerializer, Alias("heck.GossipClosedException")]
public sealed class GossipClosedException() : Exception("this replica's gossip is closed");
