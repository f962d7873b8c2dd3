using Microsoft.Extensions.Options;

namespace Heck.Grains.Origins;

/// <summary>Both periods must be positive, or the reconciler would spin or never run.</summary>
public sealed class OwnershipOptionsValidator : IValidateOptions<OwnershipOptions>
{
    public ValidateOptionsResult Validate(string? name, OwnershipOptions o)
    {
        var errors = new List<string>();
        if (o.ReconcilePeriod <= TimeSpan.Zero) errors.Add($"{nameof(OwnershipOptions.ReconcilePeriod)} must be positive (was {o.ReconcilePeriod})");
        if (o.RetryAfter <= TimeSpan.Zero) errors.Add($"{nameof(OwnershipOptions.RetryAfter)} must be positive (was {o.RetryAfter})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
