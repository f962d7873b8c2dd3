using System.Net;
using Microsoft.Extensions.Options;

namespace Heck.Grains.Probing;

/// <summary>Checks <c>Heck:Probing</c>: every entry a CIDR network; each failure names its key (<c>Heck:Probing:DenyNetworks:0</c>).</summary>
public sealed class ProbingOptionsValidator : IValidateOptions<ProbingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProbingOptions o)
    {
        var errors = new List<string>();
        void Networks(string key, string[]? values)
        {
            for (var i = 0; i < (values?.Length ?? 0); i++)
                if (!IsCanonical(values![i]))
                    errors.Add($"{ProbingOptions.SectionName}:{key}:{i} must be a CIDR network with no host bits set, such as 10.0.0.0/8 or fd00::/8 (was '{values[i]}')");
        }
        // Host bits set (10.0.0.1/8) are refused rather than masked: such an entry is likely a typo of the prefix.
        static bool IsCanonical(string? value) =>
            value is not null && IPNetwork.TryParse(value, out var network) &&
            IPAddress.TryParse(value.AsSpan(0, value.IndexOf('/') is var slash and >= 0 ? slash : value.Length), out var written) &&
            network.BaseAddress.Equals(written);
        Networks(nameof(o.DenyNetworks), o.DenyNetworks);
        Networks(nameof(o.AllowNetworks), o.AllowNetworks);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
