using Microsoft.Extensions.Options;

namespace Heck.Grains.Replica;

/// <summary>Checks <c>Heck:Gossip</c>; each failure names its key.</summary>
public sealed class GossipOptionsValidator : IValidateOptions<GossipOptions>
{
    public ValidateOptionsResult Validate(string? name, GossipOptions o)
    {
        var errors = new List<string>();
        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max) errors.Add($"{GossipOptions.SectionName}:{key} must be between {min} and {max} (was {value})");
        }
        Range(nameof(o.IntervalMs), o.IntervalMs, 10, 60_000);
        Range(nameof(o.Fanout), o.Fanout, 1, 64);
        Range(nameof(o.AntiEntropyIntervalMs), o.AntiEntropyIntervalMs, 10, 600_000);
        Range(nameof(o.CallTimeoutMs), o.CallTimeoutMs, 10, 60_000);
        // Ten anti-entropy rounds at least, so the journal's staleness margin (two rounds) stays small.
        Range(nameof(o.ReplicaRetentionMs), o.ReplicaRetentionMs, Math.Max(1000, (int)Math.Min(int.MaxValue, 10L * o.AntiEntropyIntervalMs)), 604_800_000);
        if (!Enum.IsDefined(o.Mode)) errors.Add($"{GossipOptions.SectionName}:Mode must be push, pull or pushpull (was {o.Mode})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
