using System.Diagnostics.Metrics;

namespace Heck.Grains.Metrics;

/// <summary>
/// The silo's <c>Heck</c> meter (from the host's <see cref="IMeterFactory"/>, so several silos in one process each
/// have their own) and the counters that code on the hot path bumps: a handoff, a confirmation round. Everything
/// else is observable and read only when something collects. Exported as <c>heck_&lt;instrument&gt;</c>.
/// </summary>
public sealed class HeckMeter
{
    public const string Name = "Heck";

    public HeckMeter(IMeterFactory factory)
    {
        Meter = factory.Create(Name);
        Handoffs = Meter.CreateCounter<long>("ownership_handoffs_total", description: "Origins this silo handed off to their new owner");
        Confirmations = Meter.CreateCounter<long>("confirmations_total",
            description: "Confirmation rounds this silo asked of an origin's confirmers, by kind (failure or recovery)");
    }

    public Meter Meter { get; }

    public Counter<long> Handoffs { get; }

    public Counter<long> Confirmations { get; }
}
