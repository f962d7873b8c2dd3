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
    private readonly SwimHostOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly SwimCodec codec;
    private readonly EndpointResolver resolver = new();
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Channel<MemberStatusChanged> changes = Channel.CreateUnbounded<MemberStatusChanged>(new() { SingleReader = true });
    private readonly TaskCompletionSource joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> loops = [];
    private SwimInstance? swim;
    private UdpChannel? udp;
    private TcpChannel? tcp;
    private int stopped;

    public SwimHost(SwimHostOptions options, ILogger<SwimHost>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } errors) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        this.options = options;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
        codec = new SwimCodec(options.Keyring, null, this.time, options.Codec);
    }

    /// <summary>Status changes of any member, ourselves included, in order, on a background task.</summary>
    public event Action<MemberStatusChanged>? MembershipChanged;

    /// <summary>The cluster declared this generation dead: stop the process and restart as a new generation.</summary>
    public event Action? DeclaredDead;

    public NodeId Self => Swim.Self;
    /// <summary>Accepted and dropped packets, and the bytes and datagrams sent and received over UDP and TCP.</summary>
    public WireCounters Counters => codec.Counters;
    /// <summary>Completes when a seed answered (or at once without seeds); cancelled if the host stops first.</summary>
    public Task Joined => joined.Task;
    /// <summary>The bound port (useful with <see cref="SwimHostOptions.Port"/> 0).</summary>
    public int Port => Self.Port;

    public SwimView View
    {
        get { lock (gate) return Swim.View; }
    }

    public long Version
    {
        get { lock (gate) return Swim.Version; }
    }

    public bool IsDeclaredDead
    {
        get { lock (gate) return Swim.IsDeclaredDead; }
    }

    public int LocalHealthScore
    {
        get { lock (gate) return Swim.LocalHealthScore; }
    }

    private SwimInstance Swim => swim ?? throw new InvalidOperationException("The SWIM host is not started.");

    /// <summary>Binds the sockets, starts the loops and begins joining through <paramref name="seeds"/> (none: a new cluster).</summary>
    public Task StartAsync(IEnumerable<(string Host, int Port)> seeds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        cancellationToken.ThrowIfCancellationRequested();
        if (swim is not null) throw new InvalidOperationException("The SWIM host is already started.");
        var port = Bind();
        var host = options.AdvertiseHost ?? options.BindAddress.ToString();
        var self = new NodeId(host, port, options.Generation ?? time.GetUtcNow().ToUnixTimeMilliseconds());
        var random = options.RandomSeed is { } s ? new Random(s) : new Random();
        swim = new SwimInstance(options.Settings, self, options.Metadata, time, random, WireSizes.Instance);

        var token = stopping.Token;
        loops.Add(Task.Run(() => udp!.ReceiveLoop(token), CancellationToken.None));
        loops.Add(Task.Run(() => tcp!.AcceptLoop(token), CancellationToken.None));
        loops.Add(Task.Run(() => TickLoop(token), CancellationToken.None));
        loops.Add(Task.Run(PumpEvents, CancellationToken.None));
        Run(s => s.Join(seeds));
        logger.LogInformation("SWIM {Self} started", self);
        return Task.CompletedTask;
    }

    /// <summary>Leaves gracefully (others see Left, not Dead), keeps gossiping for a moment, then stops.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        if (swim is null || Volatile.Read(ref stopped) != 0) return;
        Run(s => s.Leave());
        try
        {
            await Task.Delay(options.LeavePropagation, time, cancellationToken).ConfigureAwait(false);
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
        if (Interlocked.Exchange(ref stopped, 1) != 0) return;
        await stopping.CancelAsync().ConfigureAwait(false);
        udp?.Dispose();
        tcp?.Dispose();
        changes.Writer.TryComplete();
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "SWIM loop failed while stopping");
        }
        joined.TrySetCanceled();
        // The token source and the TCP channel's semaphores are left undisposed on purpose: stray background
        // sends may still touch them, and none holds an unmanaged resource here.
    }

    private int Bind()
    {
        // With port 0 the UDP port is free but the same TCP port may not be: retry a few times.
        for (var attempt = 0; ; attempt++)
        {
            var u = new Socket(options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            var t = new Socket(options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                u.ReceiveBufferSize = 1 << 20; // absorb bursts (push of many gossip datagrams) instead of losing them
                u.Bind(new IPEndPoint(options.BindAddress, options.Port));
                var port = ((IPEndPoint)u.LocalEndPoint!).Port;
                t.Bind(new IPEndPoint(options.BindAddress, port));
                t.Listen(64);
                udp = new UdpChannel(u, codec, options, resolver, Deliver);
                tcp = new TcpChannel(t, new TcpFraming(codec), options, resolver, Deliver, logger);
                return port;
            }
            catch (SocketException) when (options.Port == 0 && attempt < 20)
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
        lock (gate)
        {
            if (Volatile.Read(ref stopped) != 0) return;
            directives = step(Swim);
            Publish(directives);
        }
        Dispatch(directives);
    }

    // Hot paths (every packet, every tick) spell the lock out to avoid a closure per call.
    private void OnMessage(SwimMessage message)
    {
        Directives directives;
        lock (gate)
        {
            if (Volatile.Read(ref stopped) != 0) return;
            directives = Swim.OnMessage(null, message);
            Publish(directives);
        }
        Dispatch(directives);
    }

    private void OnTick()
    {
        Directives directives;
        lock (gate)
        {
            if (Volatile.Read(ref stopped) != 0) return;
            directives = Swim.OnTick();
            Publish(directives);
        }
        Dispatch(directives);
    }

    private void Publish(Directives directives)
    {
        if (directives.IsEmpty) return;
        foreach (var change in directives.Changes) changes.Writer.TryWrite(change);
        if (directives.Joined) joined.TrySetResult();
    }

    private void Dispatch(Directives directives)
    {
        if (directives.SelfDeclaredDead) logger.LogWarning("SWIM {Self} was declared dead by the cluster", Self);
        foreach (var send in directives.Messages) Send(send);
    }

    private void Send(Send send)
    {
        if (!send.Reliable && udp!.Fits(send.Message))
        {
            udp.Send(send, stopping.Token);
        }
        else
        {
            _ = tcp!.SendAsync(send, stopping.Token);
        }
    }

    /// <summary>Handles a message either channel received and decoded.</summary>
    private void Deliver(SwimMessage message)
    {
        try
        {
            OnMessage(message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A protocol bug must not kill the receive loop; the packet is lost like a dropped one.
            logger.LogError(e, "SWIM failed to handle a {Type}", message.GetType().Name);
        }
    }

    private async Task TickLoop(CancellationToken token)
    {
        using var timer = new PeriodicTimer(options.Settings.ProbeInterval / 10, time);
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
                    logger.LogError(e, "SWIM tick failed");
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
        await foreach (var change in changes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                MembershipChanged?.Invoke(change);
                if (change.Node == swim!.Self && change.New == MemberStatus.Dead) DeclaredDead?.Invoke();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogError(e, "SWIM membership change handler failed");
            }
        }
    }
}
