using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Heck.Grains.Cluster;
using Heck.Grains.Origins;
using Heck.Grains.Probing;
using Heck.Health;
using Heck.Origins;
using Orleans.Runtime;

namespace Heck.Grains.Metrics;

/// <summary>
/// The per-origin series of the origins this silo owns. An origin's grain records each probe here (one dictionary
/// write and one histogram sample: the hot path stays cheap); the gauges are observable and report, at each
/// collection, only origins in <see cref="LocalOrigins"/>, so scraping every silo yields each origin once, from
/// its owner, and a handed-off origin's gauges leave the old owner at its next collection.
/// </summary>
public sealed class OriginMetrics
{
    private readonly LocalOrigins _local;
    private readonly string _silo;
    private readonly ConcurrentDictionary<string, Sample> _samples = new(StringComparer.Ordinal);
    private readonly Histogram<double> _duration;

    public OriginMetrics(HeckMeter meter, LocalOrigins local, ILocalSiloDetails silo)
    {
        _local = local;
        _silo = silo.SiloAddress.Label();
        var m = meter.Meter;
        _duration = m.CreateHistogram<double>("probe_duration_seconds", description: "How long each probe of an origin took");
        m.CreateObservableGauge("probe_success", () => Owned(s => s.Success ? 1 : 0),
            description: "Whether the last probe of the origin succeeded (1) or failed (0)");
        m.CreateObservableGauge("probe_http_status_code", () => Owned(s => s.StatusCode ?? 0, http: true),
            description: "HTTP status code of the last probe (0 when none came back)");
        m.CreateObservableGauge("origin_status", OneHot,
            description: "The origin's health: 1 for its current status, 0 for the others");
        m.CreateObservableCounter("origin_transitions_total", () => Owned(s => s.Transitions),
            description: "Health transitions of the origin since this silo became its owner");
    }

    /// <summary>Origins with a sample that this silo still owns.</summary>
    public int Count => _samples.Keys.Count(_local.Contains);

    /// <summary>Records one probe of <paramref name="spec"/> by its owner and the status it left the origin in.</summary>
    public void Record(OriginSpec spec, ProbeResult result, HealthStatus status, bool transitioned)
    {
        var kind = OriginSeries.Kind(spec);
        var sample = _samples.AddOrUpdate(spec.Id,
            static (id, a) => new Sample(new LabelSet(id, a.kind, a.silo), a.result, a.status, a.transitioned ? 1 : 0),
            static (id, old, a) => new Sample(old.Labels.Kind == a.kind ? old.Labels : new LabelSet(id, a.kind, a.silo),
                a.result, a.status, old.Transitions + (a.transitioned ? 1 : 0)),
            (kind, silo: _silo, result, status, transitioned));
        _duration.Record(result.LatencyMs / 1000, sample.Labels.Origin);
    }

    /// <summary>The origin left this silo (handed off, removed, deactivated): its series go with it.</summary>
    public void Forget(string id) => _samples.TryRemove(id, out _);

    private IEnumerable<Measurement<long>> Owned(Func<Sample, long> value, bool http = false)
    {
        foreach (var (id, sample) in _samples)
        {
            if (!_local.Contains(id)) continue;
            if (http && sample.Labels.Kind == "tcp") continue;
            yield return new Measurement<long>(value(sample), sample.Labels.Origin);
        }
    }

    private IEnumerable<Measurement<int>> OneHot()
    {
        foreach (var (id, sample) in _samples)
        {
            if (!_local.Contains(id)) continue;
            var i = 0;
            foreach (var (_, value) in OriginSeries.OneHot(sample.Status))
                yield return new Measurement<int>(value, sample.Labels.ByStatus[i++]);
        }
    }

    private sealed record Sample(LabelSet Labels, bool Success, int? StatusCode, HealthStatus Status, long Transitions)
    {
        public Sample(LabelSet labels, ProbeResult result, HealthStatus status, long transitions)
            : this(labels, result.Success, result.StatusCode, status, transitions) { }
    }

    /// <summary>An origin's label arrays, built once per origin and kind rather than at every probe or collection.</summary>
    private sealed class LabelSet
    {
        public LabelSet(string id, string kind, string silo)
        {
            Kind = kind;
            Origin = OriginSeries.Labels(id, kind, silo);
            ByStatus = OriginSeries.Statuses
                .Select(s => (KeyValuePair<string, object?>[])[.. Origin, new(OriginSeries.StatusLabel, OriginSeries.StatusName(s))])
                .ToArray();
        }

        public string Kind { get; }
        public KeyValuePair<string, object?>[] Origin { get; }
        public KeyValuePair<string, object?>[][] ByStatus { get; }
    }
}
