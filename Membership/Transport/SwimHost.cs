using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Heck.Membership.Transport;

/// <summary>
/// Runs a <see cref="SwimInstance"/> on real sockets: UDP for protocol messages, TCP (one length-prefixed
/// frame per connection) for push-pull and anything over the datagram limit, a timer for ticks.
/// Bad packets are dropped and counted in <see cref="Counters"/>, never thrown; the counters also hold the
/// UDP and TCP traffic of the host's sockets. <see cref="SwimHostOptions.InjectedLossPercent"/> makes it lose
/// datagrams on purpose (chaos testing).
/// </summary>
public sealed class SwimHost : IAsyncDisposable
{
    private const int FramePrefix = 4;

    private readonly SwimHostOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly SwimCodec codec;
    private readonly EndpointResolver resolver = new();
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Channel<MemberStatusChanged> changes = Channel.CreateUnbounded<MemberStatusChanged>(new() { SingleReader = true });
    private readonly TaskCompletionSource joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim outgoingTcp;
    private readonly SemaphoreSlim incomingTcp;
    private readonly List<Task> loops = [];
    private SwimInstance? swim;
    private Socket? udp;
    private Socket? tcp;
    private int stopped;

    public SwimHost(SwimHostOptions options, ILogger<SwimHost>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } errors) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        this.options = options;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
        codec = new SwimCodec(options.Keyring, null, this.time, options.Codec);
        outgoingTcp = new SemaphoreSlim(options.MaxTcpConnections);
        incomingTcp = new SemaphoreSlim(options.MaxTcpConnections);
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
        loops.Add(Task.Run(() => ReceiveLoop(token), CancellationToken.None));
        loops.Add(Task.Run(() => AcceptLoop(token), CancellationToken.None));
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
        // The token source and semaphores are left undisposed on purpose: stray background sends may still
        // touch them, and neither holds an unmanaged resource here.
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
                udp = u;
                tcp = t;
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
        if (!send.Reliable && codec.PacketSize(send.Message) <= options.Settings.MaxDatagramBytes)
        {
            SendDatagram(send);
        }
        else
        {
            _ = SendStreamAsync(send);
        }
    }

    /// <summary>True when injected loss takes this datagram (counted); thread-safe.</summary>
    private bool LoseInjected()
    {
        var percent = options.InjectedLossPercent;
        if (percent <= 0 || Random.Shared.NextDouble() * 100 >= percent) return false;
        Counters.Drop(DropReason.Injected);
        return true;
    }

    private void SendDatagram(Send send)
    {
        if (LoseInjected()) return;
        if (resolver.TryResolve(send.To) is not { } endpoint)
        {
            // A name not resolved yet: resolve in the background; this datagram is lost like any other.
            _ = resolver.ResolveAsync(send.To, stopping.Token).AsTask();
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(options.Settings.MaxDatagramBytes);
        try
        {
            if (codec.TryEncode(send.Message, buffer, options.Settings.MaxDatagramBytes, out var written))
            {
                var sent = udp!.SendTo(buffer.AsSpan(0, written), SocketFlags.None, endpoint);
                Counters.UdpSent(sent);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Unreachable peers are what failure detection is for; nothing to do here.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SendStreamAsync(Send send)
    {
        if (!outgoingTcp.Wait(0)) return; // saturated: push-pull repeats, joins retry
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            cts.CancelAfter(options.TcpTimeout);
            var endpoint = await resolver.ResolveAsync(send.To, cts.Token).ConfigureAwait(false);
            if (endpoint is null) return;
            var size = codec.PacketSize(send.Message);
            if (size > options.Codec.MaxStreamBytes)
            {
                logger.LogWarning("SWIM message of {Size} bytes exceeds the stream limit; not sent", size);
                return;
            }
            var frame = new byte[FramePrefix + size];
            BinaryPrimitives.WriteInt32LittleEndian(frame, size);
            if (!codec.TryEncode(send.Message, frame.AsSpan(FramePrefix), options.Codec.MaxStreamBytes, out _)) return;
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(endpoint, cts.Token).ConfigureAwait(false);
            var sent = await socket.SendAsync(frame, SocketFlags.None, cts.Token).ConfigureAwait(false);
            Counters.TcpSent(sent);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            logger.LogDebug("SWIM TCP send to {To} failed: {Error}", send.To, e.Message);
        }
        finally
        {
            ReleaseQuietly(outgoingTcp);
        }
    }

    private async Task ReceiveLoop(CancellationToken token)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024);
        EndPoint any = new IPEndPoint(options.BindAddress.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!token.IsCancellationRequested)
        {
            int received;
            try
            {
                received = (await udp!.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false)).ReceivedBytes;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP port unreachable reported for an earlier send
            }
            Counters.UdpReceived(received);
            if (LoseInjected()) continue;
            Deliver(buffer.AsSpan(0, received), options.Settings.MaxDatagramBytes);
        }
    }

    private void Deliver(ReadOnlySpan<byte> packet, int maxLength)
    {
        if (!codec.TryDecode(packet, maxLength, out var message, out _)) return;
        try
        {
            OnMessage(message!);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A protocol bug must not kill the receive loop; the packet is lost like a dropped one.
            logger.LogError(e, "SWIM failed to handle a {Type}", message!.GetType().Name);
        }
    }

    private async Task AcceptLoop(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await tcp!.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }
            if (!incomingTcp.Wait(0))
            {
                connection.Dispose();
                continue;
            }
            _ = HandleConnectionAsync(connection, token);
        }
    }

    private async Task HandleConnectionAsync(Socket connection, CancellationToken token)
    {
        byte[]? frame = null;
        try
        {
            using var _ = connection;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
            cts.CancelAfter(options.TcpTimeout);
            var prefix = new byte[FramePrefix];
            if (!await ReadExactlyAsync(connection, prefix, cts.Token).ConfigureAwait(false))
            {
                Counters.Drop(DropReason.Malformed);
                return;
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
            if (length <= 0 || length > options.Codec.MaxStreamBytes)
            {
                Counters.Drop(length <= 0 ? DropReason.Malformed : DropReason.Oversized);
                return;
            }
            frame = ArrayPool<byte>.Shared.Rent(length);
            if (!await ReadExactlyAsync(connection, frame.AsMemory(0, length), cts.Token).ConfigureAwait(false))
            {
                Counters.Drop(DropReason.Malformed);
                return;
            }
            Deliver(frame.AsSpan(0, length), options.Codec.MaxStreamBytes);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // A slow or broken peer: its push-pull is simply lost.
        }
        finally
        {
            if (frame is not null) ArrayPool<byte>.Shared.Return(frame);
            ReleaseQuietly(incomingTcp);
        }
    }

    /// <summary>False on a clean end of stream before the buffer is full; counts every byte read.</summary>
    private async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        var filled = 0;
        while (filled < buffer.Length) // each pass reads at least one byte or returns
        {
            var n = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, token).ConfigureAwait(false);
            if (n == 0) return false;
            Counters.TcpReceived(n);
            filled += n;
        }
        return true;
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

    private static void ReleaseQuietly(SemaphoreSlim semaphore)
    {
        try
        {
            semaphore.Release();
        }
        catch (ObjectDisposedException)
        {
            // the host stopped meanwhile
        }
    }
}
