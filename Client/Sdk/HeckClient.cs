using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Heck.Cluster;
using ClusterMember = Heck.Cluster.ClusterMember;
using Heck.Health;
using Heck.Membership.Orleans;
using Heck.Origins;
using Heck.Replication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Messaging;

namespace Heck.Client.Sdk;

/// <summary>
/// The .NET client of a Heck cluster. Writes go to the origin's grain (which validates again);
/// reads are answered by whichever silo the client's gateway is, from that silo's replica.
/// The client keeps a session token (<see cref="SessionToken"/>): every write and read merges its
/// causal token in, and reads at <see cref="ReadLevel.Causal"/> (the default) send it, so a client
/// reads its own writes and never reads older than it read before, whichever silo answers.
/// Either <see cref="ConnectAsync"/> (owns an Orleans client and stops it on dispose) or wrap an
/// existing <see cref="IClusterClient"/> with the constructor (which it never stops).
/// </summary>
public sealed class HeckClient : IAsyncDisposable
{
    /// <summary>Transitions asked for per poll of <see cref="WatchAsync"/>.</summary>
    public const int WatchPageSize = 500;


    private readonly IHost? _host;
    private TimeSpan _watchPollInterval = TimeSpan.FromMilliseconds(250);
    private int _disposed;
    private readonly Lock _sessionLock = new();
    private CausalToken _session = CausalToken.Empty;

    /// <summary>Wraps a started Orleans client, e.g. a TestingHost cluster's; disposing this does not stop it.</summary>
    public HeckClient(IClusterClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        ClusterClient = client;
    }

    private HeckClient(IHost host, HeckClientOptions options)
    {
        _host = host;
        ClusterClient = host.Services.GetRequiredService<IClusterClient>();
        DefaultReadLevel = options.DefaultReadLevel;
    }

    /// <summary>The level of reads that name none; <see cref="HeckClientOptions.DefaultReadLevel"/> (causal unless set).</summary>
    public ReadLevel DefaultReadLevel { get; set; } = ReadLevel.Causal;

    /// <summary>
    /// The session's causal token (opaque; null while the session has seen nothing): the merge of every token its
    /// writes and reads returned. Set it to continue another client's session (its <see cref="SessionToken"/>) or an
    /// HTTP client's (a <c>Heck-Causal-Token</c> answer); null starts afresh.
    /// </summary>
    /// <exception cref="ArgumentException">The value set is not a causal token.</exception>
    public string? SessionToken
    {
        get
        {
            lock (_sessionLock) return _session.IsEmpty ? null : _session.Encode();
        }
        set
        {
            var token = CausalToken.Empty;
            if (value is not null && !CausalToken.TryDecode(value, out token))
                throw new ArgumentException("is not a causal token: pass a SessionToken or a Heck-Causal-Token header value unchanged", nameof(value));
            lock (_sessionLock) _session = token;
        }
    }

    private CausalToken Session
    {
        get
        {
            lock (_sessionLock) return _session;
        }
    }

    private void Remember(CausalToken? token)
    {
        if (token is null || token.IsEmpty) return;
        lock (_sessionLock) _session = _session.Merge(token);
    }

    /// <summary>The Orleans client underneath, for calls the SDK does not wrap.</summary>
    public IClusterClient ClusterClient { get; }

    /// <summary>The pause between polls of <see cref="WatchAsync"/> when there was nothing new; 250 ms by default.</summary>
    public TimeSpan WatchPollInterval
    {
        get => _watchPollInterval;
        set => _watchPollInterval = value > TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
    }

    private IOriginReaderGrain Reader => ClusterClient.GetGrain<IOriginReaderGrain>(0);

    /// <summary>
    /// Connects to the cluster through <see cref="HeckClientOptions.Gateways"/>, or through the gateways that
    /// <see cref="HeckClientOptions.Seeds"/> list when seeds are given, retrying until
    /// <see cref="HeckClientOptions.ConnectTimeout"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid, e.g. a gateway that is not <c>host:port</c> (the message names it).</exception>
    /// <exception cref="HeckConnectionException">No gateway could be resolved or reached in time.</exception>
    public static async Task<HeckClient> ConnectAsync(HeckClientOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (gateways, seeds) = options.Validate();
        var names = seeds.Count > 0 ? seeds.Select(s => "SWIM seed " + s).ToList() : gateways.Select(g => g.ToString()).ToList();
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);

        var endpoints = new IPEndPoint[gateways.Count];
        for (var i = 0; i < gateways.Count; i++)
        {
            try
            {
                endpoints[i] = await gateways[i].ResolveAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ct.ThrowIfCancellationRequested();
                throw Failure(options, names, $"resolving '{gateways[i]}' took longer than the connect timeout", null);
            }
            catch (SocketException ex)
            {
                throw Failure(options, names, $"cannot resolve '{gateways[i].Host}' ({ex.Message})", ex);
            }
        }

        var logs = new TextWriterLoggerProvider(options.LogWriter ?? Console.Error, options.MinimumLogLevel) { Connecting = true };
        var host = BuildHost(options, endpoints, seeds, clock, logs);
        try
        {
            // WaitAsync bounds the start even if a step of it ignores the token.
            await host.StartAsync(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            logs.Connecting = false;
            return new HeckClient(host, options);
        }
        catch (Exception ex)
        {
            // Whether the connect failed by the timeout or by the retry filter giving up first, a seed that never
            // answered is the cause worth naming. Asked before the host (and the provider with it) is disposed.
            var seedsSilent = seeds.Count > 0 && host.Services.GetService<IGatewayListProvider>() is SwimGatewayListProvider { AnyMemberAnswered: false };
            await StopQuietlyAsync(host).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested(); // the caller gave up: that is not a connection failure
            var reason = seedsSilent
                // An encrypting seed drops what it cannot authenticate, so a missing key looks like silence.
                ? $"no seed answered within {clock.ElapsedMilliseconds} ms (a seed that encrypts SWIM ignores a client without one of its keys)"
                : ex is OperationCanceledException
                    ? $"no {(seeds.Count > 0 ? "listed gateway" : "gateway")} answered within {options.ConnectTimeout.TotalMilliseconds:0} ms"
                    : $"{ex.Message} (tried for {clock.ElapsedMilliseconds} ms)";
            throw Failure(options, names, reason, ex);
        }
    }

    /// <summary>
    /// Creates or replaces origin <paramref name="id"/>. The input is validated here first, so that
    /// invalid input never reaches the cluster; the origin's grain validates it again.
    /// </summary>
    /// <exception cref="HeckValidationException">The id or the input is invalid (nothing changed).</exception>
    public async Task<UpsertResult> UpsertOriginAsync(string id, OriginInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = OriginValidator.Validate(id, input, out var spec).ToList();
        if (input.Id is not null && input.Id != id)
            errors.Add(new("id", $"the input's id '{input.Id}' differs from '{id}'"));
        if (errors.Count > 0) throw new HeckValidationException(errors);
        var result = await ClusterClient.GetGrain<IOriginGrain>(id).Configure(spec!).WaitAsync(ct).ConfigureAwait(false);
        if (result.Errors is { Count: > 0 }) throw new HeckValidationException(result.Errors);
        if (result.Refused is { } refused) throw new HeckLimitException(refused);
        Remember(result.Token);
        var view = result.View ?? throw new InvalidOperationException($"The cluster accepted origin '{id}' but returned no view of it.");
        return new UpsertResult(result.Created, view);
    }

    /// <summary>Removes origin <paramref name="id"/> and stops probing it; false when there was no such origin.</summary>
    /// <exception cref="HeckValidationException">The id is invalid.</exception>
    public async Task<bool> RemoveOriginAsync(string id, CancellationToken ct = default)
    {
        CheckId(id);
        // An empty condition admits anything: this is Remove, answered with the removal's token.
        var result = await ClusterClient.GetGrain<IOriginGrain>(id).RemoveIf(new WriteCondition("", "")).WaitAsync(ct).ConfigureAwait(false);
        Remember(result.Token);
        return result.Removed;
    }

    /// <summary>Origin <paramref name="id"/> at <see cref="DefaultReadLevel"/>, or null when it is not registered.</summary>
    /// <exception cref="HeckValidationException">The id is invalid.</exception>
    /// <exception cref="HeckCausalReadException">A causal read: the gateway silo did not catch up with the session in time.</exception>
    public Task<OriginView?> GetOriginAsync(string id, CancellationToken ct = default) => GetOriginAsync(id, DefaultReadLevel, ct);

    /// <summary>
    /// Origin <paramref name="id"/> at <paramref name="level"/>: as the gateway silo's replica has it now (local), once
    /// that replica has everything this session saw (causal), or as its owner has it (owner). Null when it is not registered.
    /// </summary>
    /// <exception cref="HeckValidationException">The id is invalid.</exception>
    /// <exception cref="HeckCausalReadException">A causal read: the gateway silo did not catch up with the session in time.</exception>
    public async Task<OriginView?> GetOriginAsync(string id, ReadLevel level, CancellationToken ct = default)
    {
        CheckId(id);
        switch (level)
        {
            case ReadLevel.Owner:
                var owned = await ClusterClient.GetGrain<IOriginGrain>(id).ReadOwned().WaitAsync(ct).ConfigureAwait(false);
                Remember(owned.Token);
                return owned.View;
            case ReadLevel.Causal when Session is { IsEmpty: false } session:
                return Accept(await Reader.GetCausal(id, session).WaitAsync(ct).ConfigureAwait(false));
            default: // local, or a session that has seen nothing yet: nothing to wait for
                return await Reader.Get(id).WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Origin <paramref name="id"/>'s kept transitions as the gateway silo's replica has them, oldest first in
    /// causal order (the order every silo and <see cref="WatchAsync"/> agree on); null when it is not registered.
    /// </summary>
    /// <exception cref="HeckValidationException">The id is invalid.</exception>
    public Task<IReadOnlyList<StampedTransition>?> GetTransitionsAsync(string id, CancellationToken ct = default)
    {
        CheckId(id);
        return Reader.Transitions(id).WaitAsync(ct);
    }

    /// <summary>Every origin at <see cref="DefaultReadLevel"/>, sorted by id, optionally only those with <paramref name="status"/>.</summary>
    /// <exception cref="HeckCausalReadException">A causal read: the gateway silo did not catch up with the session in time.</exception>
    public Task<IReadOnlyList<OriginView>> ListOriginsAsync(HealthStatus? status = null, CancellationToken ct = default) =>
        ListOriginsAsync(DefaultReadLevel == ReadLevel.Owner ? ReadLevel.Causal : DefaultReadLevel, status, ct);

    /// <summary>Every origin at <paramref name="level"/> (local or causal: no single owner has them all).</summary>
    /// <exception cref="ArgumentException"><paramref name="level"/> is owner.</exception>
    /// <exception cref="HeckCausalReadException">A causal read: the gateway silo did not catch up with the session in time.</exception>
    public async Task<IReadOnlyList<OriginView>> ListOriginsAsync(ReadLevel level, HealthStatus? status = null, CancellationToken ct = default)
    {
        if (level == ReadLevel.Owner) throw new ArgumentException("a list has no single owner: read it local or causal", nameof(level));
        if (level == ReadLevel.Causal && Session is { IsEmpty: false } session)
            return Accept(await Reader.ListCausal(status, session).WaitAsync(ct).ConfigureAwait(false))!;
        return await Reader.List(status).WaitAsync(ct).ConfigureAwait(false);
    }

    private T? Accept<T>(CausalRead<T> read)
    {
        if (!read.Wait.Covered) throw new HeckCausalReadException(read.Wait.WaitedMs, read.Wait.Lacking.Select(d => d.ToString()).ToList());
        Remember(read.Token);
        return read.Value;
    }

    /// <summary>The cluster's silos as the gateway silo sees them.</summary>
    public Task<IReadOnlyList<ClusterMember>> GetMembersAsync(CancellationToken ct = default) =>
        ClusterClient.GetGrain<IClusterReaderGrain>(0).Members().WaitAsync(ct);

    /// <summary>
    /// Health transitions as they happen, of one origin or (when <paramref name="originId"/> is null) of
    /// all; an origin's in causal order (<see cref="TransitionEvent.Stamp"/>), as <c>GET /api/watch</c> sends them. Only transitions that happen <em>after</em> the
    /// watch starts are yielded: the first poll only takes the current position, nothing from the
    /// past is replayed. Polls every <see cref="WatchPollInterval"/> (at once again while pages are
    /// full) until <paramref name="ct"/> is cancelled, which ends the enumeration with an
    /// <see cref="OperationCanceledException"/>. Transitions are numbered by the gateway silo: if the
    /// client fails over to another gateway, a few may be skipped or repeated. A failed call to the
    /// cluster ends the enumeration with that exception.
    /// </summary>
    /// <exception cref="HeckValidationException"><paramref name="originId"/> is not a valid id.</exception>
    public async IAsyncEnumerable<TransitionEvent> WatchAsync(string? originId = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (originId is not null) CheckId(originId);
        var reader = Reader;
        var after = (await reader.TransitionsAfter(-1, WatchPageSize).WaitAsync(ct).ConfigureAwait(false)).Next;
        while (true)
        {
            var page = await reader.TransitionsAfter(after, WatchPageSize).WaitAsync(ct).ConfigureAwait(false);
            after = page.Next;
            foreach (var e in page.Events)
            {
                if (originId is null || e.OriginId == originId) yield return e;
            }
            if (page.Events.Count < WatchPageSize)
                await Task.Delay(WatchPollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the Orleans client when <see cref="ConnectAsync"/> started it; does nothing for a wrapped client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _host is null) return;
        await StopQuietlyAsync(_host).ConfigureAwait(false);
    }

    private static void CheckId(string? id)
    {
        if (OriginValidator.CheckId(id) is { } error) throw new HeckValidationException([error]);
    }

    private static HeckConnectionException Failure(HeckClientOptions options, IReadOnlyList<string> gateways, string reason, Exception? inner) =>
        new(options.Seeds is { Count: > 0 } ? options.Seeds.ToList() : options.Gateways.ToList(),
            $"Cannot connect to Heck cluster '{options.ClusterId}' through {string.Join(", ", gateways)}: {reason}", inner);

    private static IHost BuildHost(HeckClientOptions options, IPEndPoint[] endpoints, IReadOnlyList<string> seeds, Stopwatch clock, ILoggerProvider logs)
    {
        // No default configuration sources: a CLI must not pick up the appsettings.json of whatever folder it runs in.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        builder.Logging.AddProvider(logs);
        // The host must not take over Ctrl-C: the application decides what an interrupt means.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.UseOrleansClient(client =>
        {
            if (seeds.Count > 0)
            {
                client.UseSwimGateways(o =>
                {
                    o.Seeds = [.. seeds];
                    o.Keys = [.. options.Keys];
                    // A seed that does not answer must leave time to try the next one within the connect timeout.
                    o.RequestTimeout = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(3).Ticks, Math.Max(options.ConnectTimeout.Ticks / 2, 1)));
                });
            }
            else
            {
                client.UseStaticClustering(endpoints);
            }
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
            // Keep trying (a silo may still be starting) until the connect timeout is spent.
            var retryDelay = TimeSpan.FromMilliseconds(200);
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                if (clock.Elapsed + retryDelay >= options.ConnectTimeout) return false;
                await Task.Delay(retryDelay, token).ConfigureAwait(false);
                return true;
            });
        });
        return builder.Build();
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await host.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Stopping a client that never connected, or one whose cluster is gone, may fail: nothing to do.
        }
        try
        {
            if (host is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            else host.Dispose();
        }
        catch (Exception)
        {
            // As above.
        }
    }

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
