namespace Heck.Silo.Cluster;

/// <summary>Why a host generation asked to be replaced, and the SWIM endpoints of the peers it knew.</summary>
public sealed record RejoinRequest(string Reason, IReadOnlyList<string> Peers);

/// <summary>
/// One host generation's link to <see cref="SiloGenerations"/>, which runs it: the host asks here to be replaced by a
/// new generation once the cluster declared it dead, and reads the peers its predecessor knew (extra seeds to rejoin
/// through). Only the first request of a generation counts.
/// </summary>
public sealed class RejoinSignal
{
    private readonly TaskCompletionSource<RejoinRequest> _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cancel = new();

    public RejoinSignal(IReadOnlyList<string>? peers = null, int generation = 0)
    {
        Peers = peers ?? [];
        Generation = generation;
    }

    /// <summary>SWIM endpoints ("host:port") of the peers the previous generation knew; empty for the first one.</summary>
    public IReadOnlyList<string> Peers { get; }

    /// <summary>How many generations this process ran before this one (0: the first).</summary>
    public int Generation { get; }

    /// <summary>Completes with the first request of this generation.</summary>
    public Task<RejoinRequest> Requested => _requested.Task;

    public bool IsRequested => _requested.Task.IsCompleted;

    /// <summary>Cancelled by the first request: ends a start that is still under way.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Asks for a new generation; false if one was asked for already.</summary>
    public bool Request(string reason, IReadOnlyList<string> peers)
    {
        if (!_requested.TrySetResult(new RejoinRequest(reason, peers))) return false;
        // Off the caller's thread: it may be Orleans' membership loop, and the start it cancels may wait on it.
        _ = Task.Run(_cancel.Cancel);
        return true;
    }
}
