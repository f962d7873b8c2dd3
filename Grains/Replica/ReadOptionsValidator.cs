using Microsoft.Extensions.Options;

namespace Heck.Grains.Replica;

/// <summary>Checks <c>Heck:Reads</c>; each failure names its key.</summary>
public sealed class ReadOptionsValidator : IValidateOptions<ReadOptions>
{
    public const int MaxCausalWaitMs = 60_000;

    public ValidateOptionsResult Validate(string? name, ReadOptions o) =>
        o.CausalWaitMs is < 0 or > MaxCausalWaitMs
            ? ValidateOptionsResult.Fail($"{ReadOptions.SectionName}:{nameof(o.CausalWaitMs)} must be between 0 and {MaxCausalWaitMs} (was {o.CausalWaitMs})")
            : ValidateOptionsResult.Success;
}
