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
public sealed partial class SwimGatewayListProvider : IGatewayListProvider, IDisposable
{
    private readonly SwimGatewayOptions options;
    private readonly string? clusterId;
    private readonly ILogger logger;
    private readonly IReadOnlyList<SwimEndpoint> seeds;
    private readonly Keyring? keyring;
    private readonly SwimCodec codec;
    private readonly Lock gate = new();
    private IReadOnlyList<SwimEndpoint> learned = [];
    private IList<Uri> last = [];
    private volatile bool anyAnswered;

    internal SwimGatewayListProvider(SwimGatewayOptions options, string? clusterId, ILogger<SwimGatewayListProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        this.options = options;
        this.clusterId = clusterId;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        seeds = [.. SeedList.Parse(options.Seeds).Select(s => new SwimEndpoint(s.Host, s.Port)).Distinct()];
        keyring = KeyList.Create(options.Keys);
        codec = new SwimCodec(keyring);
    }

    public TimeSpan MaxStaleness => options.RefreshPeriod;

    /// <summary>
    /// Whether any member has answered a view request yet. A client that fails to connect while this is false
    /// never heard from the cluster at all (wrong seed, or a seed that drops what it cannot authenticate).
    /// </summary>
    public bool AnyMemberAnswered => anyAnswered;

    [Obsolete("Kept for the interface; every provider is updatable.")]
    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    /// <summary>Gateways from the first member that answers; the previous list when none does.</summary>
    public async Task<IList<Uri>> GetGateways()
    {
        IReadOnlyList<SwimEndpoint> known;
        lock (gate) known = learned;
        // Configured seeds first (in random order, to spread the load), then members learned earlier.
        var candidates = seeds.OrderBy(_ => Random.Shared.Next()).Concat(known.Except(seeds).OrderBy(_ => Random.Shared.Next())).ToList();
        foreach (var endpoint in candidates)
        {
            IReadOnlyList<MemberInfo> view;
            try
            {
                view = await SwimViewRequest.ReadViewAsync(endpoint, codec, options.RequestTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                LogSeedFailed(logger, endpoint.ToString(), e.Message);
                continue;
            }
            anyAnswered = true;
            var gateways = Gateways(view, clusterId);
            lock (gate)
            {
                learned = [.. view.Where(m => !m.Status.IsFinal()).Select(m => m.Node.Endpoint)];
                last = gateways;
            }
            LogGateways(logger, endpoint.ToString(), gateways.Count);
            return gateways;
        }
        LogNoSeedAnswered(logger, string.Join(", ", options.Seeds));
        lock (gate) return last;
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

    public void Dispose() => keyring?.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "SWIM gateways: {Endpoint} did not answer: {Error}")]
    private static partial void LogSeedFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SWIM gateways: {Endpoint} lists {Count} gateways")]
    private static partial void LogGateways(ILogger logger, string endpoint, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SWIM gateways: no member answered (seeds {Seeds}); keeping the previous gateway list")]
    private static partial void LogNoSeedAnswered(ILogger logger, string seeds);
}
