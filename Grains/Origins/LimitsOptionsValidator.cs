using Heck.Origins;
using Microsoft.Extensions.Options;

namespace Heck.Grains.Origins;

/// <summary>Checks <c>Heck:Limits</c>; each failure names its key.</summary>
public sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions o)
    {
        var errors = new List<string>();
        if (o.MaxOrigins is < 1 or > 10_000_000)
            errors.Add($"{LimitsOptions.SectionName}:{nameof(o.MaxOrigins)} must be between 1 and 10000000 (was {o.MaxOrigins})");
        if (o.MinIntervalMs < 1 || o.MinIntervalMs > OriginDefaults.MaxIntervalMs)
            errors.Add($"{LimitsOptions.SectionName}:{nameof(o.MinIntervalMs)} must be between 1 and {OriginDefaults.MaxIntervalMs} (was {o.MinIntervalMs})");
        if (!(o.ProbesPerSecondPerSilo > 0) || !double.IsFinite(o.ProbesPerSecondPerSilo))
            errors.Add($"{LimitsOptions.SectionName}:{nameof(o.ProbesPerSecondPerSilo)} must be a finite number greater than 0 (was {o.ProbesPerSecondPerSilo})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
