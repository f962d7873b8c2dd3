using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Heck.Membership.Transport;

/// <summary>
/// Runs a <see cref="SwimInstance"/> on real sockets: UDP (<see cref="UdpChannel"/>) for protocol messages, TCP
/// (<see cref="TcpChannel"/>, one <see cref="TcpFraming"/> frame per connection) for push-pull and anything over
/// the datagram limit, a timer for ticks. The host is the shell around the pure core: it calls it under one lock,
/// publishes its events and carries out its sends outside the lock.
/// Bad packets are dropped and counted in <see cref="Counters"/>, never thrown; the counters also hold the
/// UDP and TCP traffic of the host's sockets. <see cref="SwimHostOptions.InjectedLossPercent"/> makes it lose
/// datagrams on purpose (chaos testing).
/// </summary>
public sealed class SwimHost : IAsyncDisposable
{
    private readonly SwimHostOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SwimCodec _codec;
    private EndpointResolver _resolver = new([]);
    private AddressPolicy _policy = new([]);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<MemberStatusChanged> _changes = Channel.CreateUnbounded<MemberStatusChanged>(new() { SingleReader = true });
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _loops = [];
    private SwimInstance? _swim;
    private UdpChannel? _udp;
    private TcpChannel? _tcp;
    private int _stopped;

    public SwimHost(SwimHostOptions options, ILogger<SwimHost>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } errors) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _codec = new SwimCodec(options.Keyring, null, _time, options.Codec);
    }

    /// <summary>Status changes of any member, ourselves included, in order, on a background task.</summary>
    public event Action<MemberStatusChanged>? MembershipChanged;

    /// <summary>The cluster declared this generation dead: stop the process and restart as a new generation.</summary>
    public event Action? DeclaredDead;

    public NodeId Self => Swim.Self;
    /// <summary>Accepted and dropped packets, and the bytes and datagrams sent and received over UDP and TCP.</summary>
    public WireCounters Counters => _codec.Counters;
    /// <summary>Completes when a seed answered (or at once without seeds); cancelled if the host stops first.</summary>
    public Task Joined => _joined.Task;
    /// <summary>The bound port (useful with <see cref="SwimHostOptions.Port"/> 0).</summary>
    public int Port => Self.Port;

    public SwimView View
    {
        get { lock (_gate) return Swim.View; }
    }

    public long Version
    {
        get { lock (_gate) return Swim.Version; }
    }

    public bool IsDeclaredDead
    {
        get { lock (_gate) return Swim.IsDeclaredDead; }
    }

    /// <summary>After <see cref="DeclaredDead"/>: SWIM endpoints to rejoin through as a new generation, best first (<see cref="SwimInstance.RejoinHints"/>).</summary>
    public IReadOnlyList<SwimEndpoint> RejoinHints
    {
        get { lock (_gate) return Swim.RejoinHints; }
    }

    public int LocalHealthScore
    {
        get { lock (_gate) return Swim.LocalHealthScore; }
    }

    private SwimInstance Swim => _swim ?? throw new InvalidOperationException("The SWIM host is not started.");

    /// <summary>Binds the sockets, starts the loops and begins joining through <paramref name="seeds"/> (none: a new cluster).</summary>
    public Task StartAsync(IEnumerable<(string Host, int Port)> seeds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        cancellationToken.ThrowIfCancellationRequested();
        if (_swim is not null) throw new InvalidOperationException("The SWIM host is already started.");
        seeds = [.. seeds];
        var configured = seeds.Select(s => s.Host).Append(_options.AdvertiseHost ?? _options.BindAddress.ToString()).Append(_options.BindAddress.ToString()).ToList();
        _policy = _options.AllowedNetworks is { } networks
            ? new AddressPolicy(networks, AddressPolicy.Around(configured).Names)
            : AddressPolicy.Around(configured);
        _resolver = new EndpointResolver(_policy.Names);
        var port = Bind();
        var host = _options.AdvertiseHost ?? _options.BindAddress.ToString();
        var self = new NodeId(host, port, _options.Generation ?? _time.GetUtcNow().ToUnixTimeMilliseconds());
        var random = _options.RandomSeed is { } s ? new Random(s) : new Random();
        _swim = new SwimInstance(_options.Settings, self, _options.Metadata, _time, random, WireSizes.Instance);

        var token = _stopping.Token;
        _loops.Add(Task.Run(() => _udp!.ReceiveLoop(token), CancellationToken.None));
        _loops.Add(Task.Run(() => _tcp!.AcceptLoop(token), CancellationToken.None));
        _loops.Add(Task.Run(() => TickLoop(token), CancellationToken.None));
        _loops.Add(Task.Run(PumpEvents, CancellationToken.None));
        Run(s => s.Join(seeds));
        _logger.LogInformation("SWIM {Self} started", self);
        return Task.CompletedTask;
    }

    /// <summary>Leaves gracefully (others see Left, not Dead), keeps gossiping for a moment, then stops.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        if (_swim is null || Volatile.Read(ref _stopped) != 0) return;
        Run(s => s.Leave());
        try
        {
            await Task.Delay(_options.LeavePropagation, _time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Publishes new metadata to the cluster.</summary>
    public void UpdateMetadata(Metadata metadata) => Run(s => s.UpdateMetadata(metadata));

    /// <summary>Stops at once, without leaving: to the others this looks like a crash.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp?.Dispose();
        _tcp?.Dispose();
        _changes.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "SWIM loop failed while stopping");
        }
        _joined.TrySetCanceled();
        // The token source and the TCP channel's semaphores are left undisposed on purpose: stray background
        // sends may still touch them, and none holds an unmanaged resource here.
    }

    private int Bind()
    {
        // With port 0 the UDP port is free but the same TCP port may not be: retry a few times.
        for (var attempt = 0; ; attempt++)
        {
            var u = new Socket(_options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            var t = new Socket(_options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                u.ReceiveBufferSize = 1 << 20; // absorb bursts (push of many gossip datagrams) instead of losing them
                u.Bind(new IPEndPoint(_options.BindAddress, _options.Port));
                var port = ((IPEndPoint)u.LocalEndPoint!).Port;
                t.Bind(new IPEndPoint(_options.BindAddress, port));
                t.Listen(64);
                _udp = new UdpChannel(u, _codec, _options, _resolver, Deliver);
                _tcp = new TcpChannel(t, new TcpFraming(_codec), _options, _resolver, Deliver, _logger);
                return port;
            }
            catch (SocketException) when (_options.Port == 0 && attempt < 20)
            {
                u.Dispose();
                t.Dispose();
            }
            catch
            {
                u.Dispose();
                t.Dispose();
                throw;
            }
        }
    }

    /// <summary>Calls the instance under the lock, queues its events, then sends outside the lock.</summary>
    private void Run(Func<SwimInstance, Directives> step)
    {
        Directives directives;
        lock (_gate)
        {
            if (Volatile.Read(ref _stopped) != 0) return;
            directives = step(Swim);
            Publish(directives);
        }
        Dispatch(directives);
    }

    // Hot paths (every packet, every tick) spell the lock out to avoid a closure per call.
    private void OnMessage(SwimMessage message)
    {
        Directives directives;
        lock (_gate)
        {
            if (Volatile.Read(ref _stopped) != 0) return;
            directives = Swim.OnMessage(null, message);
            Publish(directives);
        }
        Dispatch(directives);
    }

    private void OnTick()
    {
        Directives directives;
        lock (_gate)
        {
            if (Volatile.Read(ref _stopped) != 0) return;
            directives = Swim.OnTick();
            Publish(directives);
        }
        Dispatch(directives);
    }

    private void Publish(Directives directives)
    {
        if (directives.IsEmpty) return;
        foreach (var change in directives.Changes) _changes.Writer.TryWrite(change);
        if (directives.Joined) _joined.TrySetResult();
    }

    private void Dispatch(Directives directives)
    {
        if (directives.SelfDeclaredDead) _logger.LogWarning("SWIM {Self} was declared dead by the cluster", Self);
        foreach (var send in directives.Messages) Send(send);
    }

    private void Send(Send send)
    {
        if (!send.Reliable && _udp!.Fits(send.Message))
        {
            _udp.Send(send, _stopping.Token);
        }
        else
        {
            _ = _tcp!.SendAsync(send, _stopping.Token);
        }
    }

    /// <summary>Handles a message either channel received and decoded.</summary>
    private void Deliver(SwimMessage message)
    {
        if (!_policy.Admits(message))
        {
            _codec.Counters.Drop(DropReason.AddressNotAllowed);
            return;
        }
        try
        {
            OnMessage(message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A protocol bug must not kill the receive loop; the packet is lost like a dropped one.
            _logger.LogError(e, "SWIM failed to handle a {Type}", message.GetType().Name);
        }
    }

    private async Task TickLoop(CancellationToken token)
    {
        using var timer = new PeriodicTimer(_options.Settings.ProbeInterval / 10, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                try
                {
                    OnTick();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _logger.LogError(e, "SWIM tick failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task PumpEvents()
    {
        await foreach (var change in _changes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                MembershipChanged?.Invoke(change);
                if (change.Node == _swim!.Self && change.New == MemberStatus.Dead) DeclaredDead?.Invoke();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "SWIM membership change handler failed");
            }
        }
    }
}
