using Heck.Membership.Swim;
using Heck.Membership.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Messaging;
using Orleans.Runtime;

namespace Heck.Membership.Orleans;

/// <summary>
/// Client-side gateway discovery: asks a seed (or, failing that, any member learned from an earlier answer) for
/// its SWIM view, without joining, and lists the gateways of the silos that SWIM has alive and Orleans Active.
/// </summary>
public sealed class SwimGatewayListProvider : IGatewayListProvider, IDisposable
{
    private readonly SwimGatewayOptions _options;
    private readonly string? _clusterId;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<SwimEndpoint> _seeds;
    private readonly Keyring? _keyring;
    private readonly SwimCodec _codec;
    private readonly Lock _gate = new();
    private IReadOnlyList<SwimEndpoint> _learned = [];
    private IList<Uri> _last = [];
    private volatile bool _anyAnswered;

    internal SwimGatewayListProvider(SwimGatewayOptions options, string? clusterId, ILogger<SwimGatewayListProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
        _clusterId = clusterId;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _seeds = [.. SeedList.Parse(options.Seeds).Select(s => new SwimEndpoint(s.Host, s.Port)).Distinct()];
        _keyring = KeyList.Create(options.Keys);
        _codec = new SwimCodec(_keyring);
    }

    public TimeSpan MaxStaleness => _options.RefreshPeriod;

    /// <summary>
    /// Whether any member has answered a view request yet. A client that fails to connect while this is false
    /// never heard from the cluster at all (wrong seed, or a seed that drops what it cannot authenticate).
    /// </summary>
    public bool AnyMemberAnswered => _anyAnswered;

    [Obsolete("Kept for the interface; every provider is updatable.")]
    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    /// <summary>Gateways from the first member that answers; the previous list when none does.</summary>
    public async Task<IList<Uri>> GetGateways()
    {
        IReadOnlyList<SwimEndpoint> known;
        lock (_gate) known = _learned;
        // Configured seeds first (in random order, to spread the load), then members learned earlier.
        var candidates = _seeds.OrderBy(_ => Random.Shared.Next()).Concat(known.Except(_seeds).OrderBy(_ => Random.Shared.Next())).ToList();
        foreach (var endpoint in candidates)
        {
            IReadOnlyList<MemberInfo> view;
            try
            {
                view = await SwimViewRequest.ReadViewAsync(endpoint, _codec, _options.RequestTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                _logger.LogDebug("SWIM gateways: {Endpoint} did not answer: {Error}", endpoint.ToString(), e.Message);
                continue;
            }
            _anyAnswered = true;
            var gateways = Gateways(view, _clusterId);
            lock (_gate)
            {
                _learned = [.. view.Where(m => !m.Status.IsFinal()).Select(m => m.Node.Endpoint)];
                _last = gateways;
            }
            _logger.LogDebug("SWIM gateways: {Endpoint} lists {Count} gateways", endpoint.ToString(), gateways.Count);
            return gateways;
        }
        _logger.LogWarning("SWIM gateways: no member answered (seeds {Seeds}); keeping the previous gateway list", string.Join(", ", _options.Seeds));
        lock (_gate) return _last;
    }

    /// <summary>Gateway URIs of members SWIM holds alive (or suspect) whose Orleans status is Active.</summary>
    internal static IList<Uri> Gateways(IEnumerable<MemberInfo> view, string? clusterId)
    {
        var result = new List<Uri>();
        foreach (var member in view)
        {
            if (member.Status.IsFinal()) continue;
            if (OrleansMember.TryParse(member.Metadata) is not { Status: SiloStatus.Active, ProxyPort: > 0 } orleans) continue;
            if (clusterId is { Length: > 0 } && orleans.ClusterId is { Length: > 0 } c && !string.Equals(c, clusterId, StringComparison.Ordinal)) continue;
            var gateway = SiloAddress.New(orleans.Silo.Endpoint.Address, orleans.ProxyPort, orleans.Silo.Generation);
            var uri = gateway.ToGatewayUri();
            if (!result.Contains(uri)) result.Add(uri);
        }
        return result;
    }

    public void Dispose() => _keyring?.Dispose();
}
