using System.Diagnostics.Metrics;
using Heck.Grains.Cluster;
using Heck.Grains.Metrics;
using Orleans.Runtime;
using Prometheus;

namespace Heck.Silo.Metrics;

/// <summary>
/// Publishes this host's <c>Heck</c> and <c>Microsoft.Orleans</c> meters (matched by the host's
/// <see cref="IMeterFactory"/>, so several silos in one process each export their own) into a registry of its own
/// through prometheus-net's <see cref="MeterAdapter"/>, with a <c>silo</c> label on every series. Two adapters:
/// the per-origin gauges expire <see cref="OwnedSeriesExpiry"/> after their last collection, so an origin handed
/// off leaves the old owner's output; everything else lives as long as it is updated within
/// <see cref="SeriesExpiry"/>.
/// </summary>
public sealed class PrometheusExport(IMeterFactory meters, IServiceProvider services) : IHostedService, IDisposable
{
    /// <summary>
    /// How long a per-origin gauge outlives the last collection that reported it. Short, so a handed-off origin is
    /// gone from the old owner within seconds; it only has to outlast one collection (callbacks, then writing).
    /// </summary>
    public static readonly TimeSpan OwnedSeriesExpiry = TimeSpan.FromSeconds(3);

    /// <summary>How long any other series outlives its last update (a histogram of an origin that moved away, say).</summary>
    public static readonly TimeSpan SeriesExpiry = TimeSpan.FromMinutes(10);

    /// <summary>Probe durations from 5 ms to 10 s (Prometheus' default buckets).</summary>
    public static readonly double[] ProbeDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The instruments whose series belong to an origin's owner only.</summary>
    internal static readonly IReadOnlySet<string> OwnedGauges = new HashSet<string>(StringComparer.Ordinal)
    {
        "probe_success", "probe_http_status_code", "origin_status", "origin_transitions_total",
    };

    private readonly List<IDisposable> _adapters = [];

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolved now, so their instruments exist before anything is scraped.
        services.GetRequiredService<OriginMetrics>();
        services.GetRequiredService<ReplicaMetrics>();
        services.GetRequiredService<ClusterMetrics>();
        var silo = services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Label();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry).WithLabels(new Dictionary<string, string> { [OriginSeries.SiloLabel] = silo });
        _adapters.Add(MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = factory,
            InstrumentFilterPredicate = i => Ours(i) && IsOwned(i),
            MetricsExpireAfter = OwnedSeriesExpiry,
        }));
        _adapters.Add(MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = factory,
            InstrumentFilterPredicate = i => Ours(i) && !IsOwned(i),
            MetricsExpireAfter = SeriesExpiry,
            ResolveHistogramBuckets = i => i.Meter.Name == HeckMeter.Name ? ProbeDurationBuckets : MeterAdapterOptions.DefaultHistogramBuckets,
        }));
        return Task.CompletedTask;
    }

    private bool Ours(Instrument instrument) =>
        ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name is HeckMeter.Name or Cluster.MessageTraffic.MeterName;

    internal static bool IsOwned(Instrument instrument) => instrument.Meter.Name == HeckMeter.Name && OwnedGauges.Contains(instrument.Name);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var adapter in _adapters) adapter.Dispose();
        _adapters.Clear();
    }
}
