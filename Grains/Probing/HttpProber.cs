using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Heck.Origins;

namespace Heck.Grains.Probing;

/// <summary>
/// Probes <c>http://</c> and <c>https://</c> origins. Each probe opens a new connection (and asks
/// the origin to close it), as load-balancer and Kubernetes checks do: a dead listener, a full
/// accept queue, a rotated certificate or a DNS change shows at the next probe, not when a pooled
/// connection finally expires. Origins with <see cref="OriginSpec.ReuseConnection"/> share one
/// keep-alive pool instead. A probe succeeds when the status is in the spec's expectation and, if set, the first
/// <see cref="MaxBodyBytes"/> of the body contain <see cref="OriginSpec.BodyContains"/>. Every connection goes
/// through the <see cref="GuardedConnector"/>, so an address the <see cref="NetworkPolicy"/> denies is never
/// sent a packet; redirects are not followed, so no other hop needs checking.
/// </summary>
public sealed class HttpProber : IOriginProber, IDisposable
{
    public const int MaxBodyBytes = 1 << 20;
    public const string DefaultUserAgent = "Heck/1.0 (health check)";
    private const int ChunkBytes = 16 * 1024;
    private const int MaxQuotedLength = 64;

    private readonly TimeProvider _time;
    // An invoker, not an HttpClient: it returns at the response headers (what ResponseHeadersRead
    // asks of HttpClient) and adds no per-request linked token source or timeout of its own.
    private readonly HttpMessageInvoker _fresh;
    private readonly HttpMessageInvoker _pooled;
    private readonly ConcurrentDictionary<string, StatusCodeSet> _statusSets = new(StringComparer.Ordinal);
    // What a probe needs from its spec, worked out once per spec instance and forgotten with it.
    private readonly ConditionalWeakTable<OriginSpec, Prepared> _prepared = new();
    private readonly ConditionalWeakTable<OriginSpec, Prepared>.CreateValueCallback _prepare;

    // Why the connection of a request failed, as the connector saw it: the handler turns a failure that it
    // handles after the probe's deadline into a cancellation, and the probe still reports the real cause.
    private static readonly HttpRequestOptionsKey<string> ConnectFailure = new("heck.connect-failure");
    // The connection a fresh probe opened itself, for the handler to take (see ProbeAsync).
    private static readonly HttpRequestOptionsKey<Connected> OwnConnection = new("heck.connection");

    private readonly GuardedConnector _connector;

    public HttpProber(TimeProvider time, NetworkPolicy? policy = null, IProbeResolver? resolver = null)
    {
        _time = time;
        _prepare = Prepare;
        _connector = new GuardedConnector(policy ?? NetworkPolicy.Default, resolver ?? DnsProbeResolver.Instance);
        // Zero lifetime: a connection is never handed to a second request.
        _fresh = new HttpMessageInvoker(Handler(lifetime: TimeSpan.Zero), disposeHandler: true);
        _pooled = new HttpMessageInvoker(Handler(lifetime: TimeSpan.FromMinutes(2)), disposeHandler: true); // so DNS changes are noticed
    }

    private SocketsHttpHandler Handler(TimeSpan lifetime) => new()
    {
        ConnectCallback = ConnectAsync,
        AllowAutoRedirect = false,          // a redirect is the origin's answer, judged by expectStatus
        UseCookies = false,                 // no state carried from one probe to the next
        UseProxy = false,                   // judge the origin itself, not a proxy's view of it
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = lifetime,
        // Bounds connection attempts that outlive the probe that started them.
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    public async Task<ProbeResult> ProbeAsync(OriginSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var deadline = new ProbeDeadline(spec.TimeoutMs, _time, cancellationToken);
        int? status = null;
        var prepared = _prepared.GetValue(spec, _prepare);
        using var request = prepared.CreateRequest();
        var own = new Connected();
        try
        {
            if (!spec.ReuseConnection)
            {
                // A fresh probe connects here, then gives the handler its socket: the handler's pool queues
                // requests for connections and hands a failed attempt to whichever request waits first, so
                // under load a request would see another's refusal, or none and time out. Connected here, a
                // probe's outcome is its own connection's.
                own.Stream = new NetworkStream(await _connector.ConnectAsync(prepared.Uri.IdnHost, prepared.Uri.Port, deadline.Token).ConfigureAwait(false), ownsSocket: true);
                request.Options.Set(OwnConnection, own);
            }
            using var response = await (spec.ReuseConnection ? _pooled : _fresh).SendAsync(request, deadline.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (!prepared.Expect.Contains(status.Value))
                return deadline.Fail($"status {status} not in {spec.ExpectStatus}", status);
            if (prepared.Needle is { } needle && !await BodyContainsAsync(response, needle, deadline.Token).ConfigureAwait(false))
                return deadline.Fail($"body does not contain '{Quote(spec.BodyContains!)}'", status);
            return new ProbeResult(true, deadline.ElapsedMs, status, null);
        }
        catch (OperationCanceledException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (request.Options.TryGetValue(ConnectFailure, out var why)) return deadline.Fail(why);
            return deadline.Cancelled(ex, cancellationToken) with { StatusCode = status };
        }
        catch (HttpRequestException ex)
        {
            var why = request.Options.TryGetValue(ConnectFailure, out var recorded) ? recorded : ConnectReason(ex);
            return deadline.Fail(why ?? Describe(ex.HttpRequestError, ex), status);
        }
        catch (SocketException ex)
        {
            return deadline.Fail(TcpProber.Describe(ex));
        }
        catch (AddressDeniedException)
        {
            return deadline.Fail(NetworkPolicy.DeniedReason);
        }
        catch (HttpIOException ex) // the body broke off after the headers
        {
            return deadline.Fail(Describe(ex.HttpRequestError, ex), status);
        }
        catch (Exception ex)
        {
            return deadline.Fail($"probe failed: {ex.Message}", status);
        }
        finally
        {
            own.Take()?.Dispose(); // not taken: the request failed before it needed a connection
        }
    }

    private sealed class Connected
    {
        private Stream? _stream;
        public Stream? Stream { set => _stream = value; }
        public Stream? Take() => Interlocked.Exchange(ref _stream, null);
    }

    /// <summary>The connector's reason inside a handler's exception: a denied address or a socket error.</summary>
    private static string? ConnectReason(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is AddressDeniedException) return NetworkPolicy.DeniedReason;
            if (e is SocketException socket) return TcpProber.Describe(socket);
        }
        return null;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (context.InitialRequestMessage.Options.TryGetValue(OwnConnection, out var own) && own.Take() is { } connected)
            return connected;
        try
        {
            var socket = await _connector.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (AddressDeniedException)
        {
            context.InitialRequestMessage.Options.Set(ConnectFailure, NetworkPolicy.DeniedReason);
            throw;
        }
        catch (SocketException ex)
        {
            context.InitialRequestMessage.Options.Set(ConnectFailure, TcpProber.Describe(ex));
            throw;
        }
    }

    public void Dispose()
    {
        _fresh.Dispose();
        _pooled.Dispose();
    }

    internal static string Describe(HttpRequestError error, Exception ex) => error switch
    {
        HttpRequestError.NameResolutionError => $"DNS: {ex.Message}",
        HttpRequestError.ConnectionError => $"connection failed: {ex.Message}",
        // The outer messages only say "see inner exception"; the certificate's problem is innermost.
        HttpRequestError.SecureConnectionError => $"TLS: {Innermost(ex).Message}",
        HttpRequestError.HttpProtocolError => $"HTTP protocol error: {Innermost(ex).Message}",
        HttpRequestError.ResponseEnded => "connection closed before the response ended",
        HttpRequestError.InvalidResponse => $"invalid response: {Innermost(ex).Message}",
        HttpRequestError.ConfigurationLimitExceeded => $"response over limits: {Innermost(ex).Message}",
        HttpRequestError.ProxyTunnelError => $"proxy: {Innermost(ex).Message}",
        HttpRequestError.VersionNegotiationError => $"HTTP version: {Innermost(ex).Message}",
        _ => $"request failed: {Innermost(ex).Message}",
    };

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is { } inner) ex = inner;
        return ex;
    }

    private static string Quote(string text) =>
        text.Length <= MaxQuotedLength ? text : string.Concat(text.AsSpan(0, MaxQuotedLength), "…");

    /// <summary>Streams at most <see cref="MaxBodyBytes"/> through one pooled buffer; a match may span reads.</summary>
    private static async Task<bool> BodyContainsAsync(HttpResponseMessage response, byte[] needle, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes + needle.Length);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using var _ = body.ConfigureAwait(false);
            int kept = 0, total = 0;
            while (total < MaxBodyBytes)
            {
                var want = Math.Min(buffer.Length - kept, MaxBodyBytes - total);
                var read = await body.ReadAsync(buffer.AsMemory(kept, want), token).ConfigureAwait(false);
                if (read == 0) return false;
                total += read;
                var filled = kept + read;
                if (buffer.AsSpan(0, filled).IndexOf(needle) >= 0) return true;
                // Keep the tail that could begin a match completed by the next read.
                kept = Math.Min(needle.Length - 1, filled);
                buffer.AsSpan(filled - kept, kept).CopyTo(buffer);
            }
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Prepared Prepare(OriginSpec spec)
    {
        var uri = new Uri(spec.Url, UriKind.Absolute);
        var headers = spec.Headers.ToList();
        // User info in the url is credentials for Basic authentication (as curl takes it), sent only in the
        // Authorization header, never in the request line; an Authorization header of the spec wins.
        if (uri.UserInfo.Length > 0)
        {
            if (!headers.Any(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
                headers.Add(new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo)))));
            uri = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        }
        var hasUserAgent = headers.Any(h => h.Key.Equals("User-Agent", StringComparison.OrdinalIgnoreCase));
        return new Prepared(
            uri,
            spec.Method is "" ? HttpMethod.Get : HttpMethod.Parse(spec.Method),
            [.. headers],
            hasUserAgent,
            !spec.ReuseConnection,
            _statusSets.GetOrAdd(spec.ExpectStatus, StatusCodeSet.Parse),
            // Matched as UTF-8 bytes: no decoding of the body, and right for UTF-8 and ASCII pages.
            spec.BodyContains is { Length: > 0 } text ? Encoding.UTF8.GetBytes(text) : null);
    }

    private sealed record Prepared(
        Uri Uri, HttpMethod Method, KeyValuePair<string, string>[] Headers, bool HasUserAgent, bool CloseConnection,
        StatusCodeSet Expect, byte[]? Needle)
    {
        public HttpRequestMessage CreateRequest()
        {
            var request = new HttpRequestMessage(Method, Uri);
            // Without validation: the validator has checked names and values, and Host may be set.
            // A content header (e.g. Content-Type) has no place on a bodiless request and is dropped.
            foreach (var (name, value) in Headers)
                request.Headers.TryAddWithoutValidation(name, value);
            if (!HasUserAgent)
                request.Headers.TryAddWithoutValidation("User-Agent", DefaultUserAgent);
            // Says so to the origin too, which then closes first: the TIME_WAIT stays on its side,
            // so a high probe rate does not use up the prober's local ports.
            if (CloseConnection) request.Headers.ConnectionClose = true;
            return request;
        }
    }
}
