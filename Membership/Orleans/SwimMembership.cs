using System.Net;
using System.Net.Sockets;
using Heck.Membership.Swim;
using Heck.Membership.Transport;
using Heck.Membership.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Heck.Membership.Orleans;

/// <summary>
/// The silo's SWIM agent, one per silo (a DI singleton registered by <c>AddSwimClustering</c>). The membership
/// table starts it when Orleans initializes membership; until then <see cref="Host"/> is null. Read
/// <see cref="View"/> for the SWIM view (address, generation, incarnation, status of every member).
/// Disposing it leaves the cluster gracefully if the silo has not already done so.
/// </summary>
public sealed class SwimMembership : IAsyncDisposable, IDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private SwimHost? _host;
    private Keyring? _keyring;
    private int _disposed;

    internal SwimMembership(SwimClusteringOptions options, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Options = options;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<SwimMembership>();
    }

    public SwimClusteringOptions Options { get; }

    /// <summary>The running agent; null before Orleans initialized membership.</summary>
    public SwimHost? Host
    {
        get { lock (_gate) return _host; }
    }

    /// <summary>The local SWIM view (with dead and left tombstones); null before start.</summary>
    public SwimView? View => Host?.View;

    /// <summary>This member's SWIM id (advertised host, SWIM port, generation); null before start.</summary>
    public NodeId? Self => Host?.Self;

    /// <summary>Accepted and dropped packet counts and UDP/TCP traffic; null before start.</summary>
    public WireCounters? Counters => Host?.Counters;

    /// <summary>True once the cluster declared this generation dead (the silo is then stopping).</summary>
    public bool IsDeclaredDead => Host?.IsDeclaredDead ?? false;

    /// <summary>
    /// Raised (on a background task) when the cluster declares this generation dead. It may have fired before a
    /// handler subscribed: read <see cref="IsDeclaredDead"/> after subscribing.
    /// </summary>
    public event Action? DeclaredDead;

    /// <summary>Status changes of any member as this agent learns them (relayed from <see cref="SwimHost.MembershipChanged"/>).</summary>
    public event Action<MemberStatusChanged>? MembershipChanged;

    /// <summary>
    /// SWIM endpoints ("host:port") to rejoin through after the cluster declared this generation dead, each once, best
    /// first: SWIM's rejoin hints (the member whose verdict won, then the side that likely won), then every other
    /// member this generation knew, live ones first. Readable after the agent stopped; empty before it started.
    /// </summary>
    public IReadOnlyList<string> PeerEndpoints()
    {
        if (Host is not { } host || View is not { } view) return [];
        var hints = IsDead(host) ? host.RejoinHints : [];
        var known = view.Members
            .Where(m => !m.Node.SameEndpoint(view.Self))
            .OrderBy(m => m.Status.IsFinal())
            .ThenByDescending(m => m.Node.Generation)
            .Select(m => m.Node.Endpoint);
        return hints.Concat(known)
            .Where(e => !view.Self.SameEndpoint(e))
            .Select(e => SeedList.Format(e.Host, e.Port))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Binds, starts and, with seeds, waits (bounded) until one answers.</summary>
    internal async Task StartAsync(string defaultAdvertiseHost, Metadata metadata, CancellationToken cancellationToken)
    {
        SwimHost created;
        IReadOnlyList<(string Host, int Port)> seeds = Options.ParsedSeeds();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_host is not null) throw new InvalidOperationException("The SWIM agent is already started.");
            _keyring = KeyList.Create(Options.Keys);
            var bind = IPAddress.Parse(Options.BindAddress);
            var wildcard = bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any);
            var hostOptions = new SwimHostOptions
            {
                BindAddress = bind,
                AdvertiseHost = Options.AdvertiseHost ?? (wildcard ? defaultAdvertiseHost : null),
                Port = Options.Port,
                Metadata = metadata,
                Settings = Options.Settings,
                Keyring = _keyring,
                LeavePropagation = Options.LeavePropagation,
                InjectedLossPercent = Options.InjectedLossPercent,
                AllowedNetworks = Options.ParsedAllowedNetworks(),
            };
            created = new SwimHost(hostOptions, _loggers.CreateLogger<SwimHost>());
            created.DeclaredDead += OnDeclaredDead;
            created.MembershipChanged += change => MembershipChanged?.Invoke(change);
            _host = created;
        }

        try
        {
            await created.StartAsync(seeds, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            await StopAfterFailedStart(created).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"SWIM could not bind {Options.BindAddress}:{Options.Port} (UDP and TCP): {e.Message}. Check {nameof(SwimClusteringOptions)}.{nameof(SwimClusteringOptions.Port)} and {nameof(SwimClusteringOptions.BindAddress)}.", e);
        }

        if (seeds.Count == 0)
        {
            _logger.LogInformation("SWIM {Self} started a new cluster (no seeds configured)", created.Self);
            return;
        }
        try
        {
            await created.Joined.WaitAsync(Options.JoinTimeout, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("SWIM {Self} joined the cluster through {Seeds}", created.Self, string.Join(", ", Options.Seeds));
        }
        catch (Exception e) when (e is TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await StopAfterFailedStart(created).ConfigureAwait(false);
            throw new TimeoutException(
                $"SWIM could not join the cluster: none of the seeds {string.Join(", ", Options.Seeds)} answered within {Options.JoinTimeout.TotalSeconds:0.#} s. " +
                $"Check {nameof(SwimClusteringOptions)}.{nameof(SwimClusteringOptions.Seeds)}, that a silo runs there, that UDP and TCP reach it, and that " +
                $"{nameof(SwimClusteringOptions)}.{nameof(SwimClusteringOptions.Keys)} match the cluster's (leave Seeds empty on the first silo to start a new cluster).", e);
        }
    }

    /// <summary>Publishes this silo's Orleans row (a new incarnation, so it wins everywhere).</summary>
    internal void UpdateMetadata(Metadata metadata) => Host?.UpdateMetadata(metadata);

    /// <summary>Leaves gracefully: others see Left (Orleans: Dead), not a failure.</summary>
    internal async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        if (Host is { } h) await h.LeaveAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        SwimHost? h;
        lock (_gate) h = _host;
        if (h is not null && !IsDead(h))
        {
            try
            {
                // Graceful by default: a host that shuts down without Orleans writing Dead still leaves.
                using var limit = new CancellationTokenSource(Options.LeavePropagation + TimeSpan.FromSeconds(2));
                await h.LeaveAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // fall through to the hard stop
            }
        }
        // A generation the cluster declared dead has nothing to announce: it stops at once (a rejoin waits for it).
        if (h is not null) await h.DisposeAsync().ConfigureAwait(false);
        _keyring?.Dispose();
    }

    private static bool IsDead(SwimHost host)
    {
        try
        {
            return host.IsDeclaredDead;
        }
        catch (InvalidOperationException)
        {
            return false; // never started
        }
    }

    /// <summary>For synchronous containers: the same as <see cref="DisposeAsync"/>, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void OnDeclaredDead()
    {
        _logger.LogWarning("SWIM declared this silo ({Self}) dead. Its Orleans row now reads Dead, so Orleans stops this generation at its next membership read; a new generation (a new host or process) can rejoin.", Host?.Self);
        DeclaredDead?.Invoke();
    }

    private async Task StopAfterFailedStart(SwimHost created)
    {
        await created.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            if (ReferenceEquals(_host, created)) _host = null;
        }
        _keyring?.Dispose();
        _keyring = null;
    }
}
