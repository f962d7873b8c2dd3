using System.CommandLine;
using System.Globalization;

namespace Heck.Client.Cli;

/// <summary>Whole-number options whose parse errors name the option in plain words.</summary>
internal static class IntOption
{
    public static Option<int?> Create(string name, string description, string helpName = "n", params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
            result.AddError($"{name}: '{token}' is not a whole number");
            return null;
        },
    };
}
