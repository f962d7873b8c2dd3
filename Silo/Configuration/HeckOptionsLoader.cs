using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Heck.Silo.Configuration;

/// <summary>
/// Binds and validates the <c>Heck</c> section before anything starts, so a bad value stops the
/// silo with a message that names its key (e.g. <c>Heck:Http:Port</c>) instead of a stack trace,
/// and an unknown key (a typo such as <c>Heck:Http:Prot</c>) is an error rather than ignored.
/// </summary>
public static class HeckOptionsLoader
{
    public static HeckOptions Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(HeckOptions.SectionName);
        // Unknown keys are errors: a typo such as Heck:Http:Prot must not be silently ignored.
        var unknown = new List<string>();
        FindUnknownKeys(section, typeof(HeckOptions), unknown);
        if (unknown.Count > 0) throw new HeckConfigurationException(unknown);

        var options = new HeckOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new HeckConfigurationException([Describe(ex)]);
        }
        var errors = Validate(options);
        if (errors.Count > 0) throw new HeckConfigurationException(errors);
        return options;
    }

    /// <summary>Every problem with <paramref name="o"/>, each naming its key (see <see cref="HeckOptionsValidator"/>).</summary>
    public static List<string> Validate(HeckOptions o) => HeckOptionsValidator.Check(o);

    private static void FindUnknownKeys(IConfigurationSection section, Type type, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key,
                System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (property is null)
                errors.Add($"{child.Path} is not a known key (see the configuration reference in README.md)");
            else if (IsSection(property.PropertyType))
                FindUnknownKeys(child, property.PropertyType, errors);
            else if (ItemSection(property.PropertyType) is { } item)
            {
                // A list of sections (Heck:Api:Tokens:0:Name): each item's keys are checked as well.
                foreach (var element in child.GetChildren()) FindUnknownKeys(element, item, errors);
            }
        }
    }

    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray && !type.IsGenericType;

    private static Type? ItemSection(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && IsSection(type.GetGenericArguments()[0])
            ? type.GetGenericArguments()[0]
            : null;

    // The binder's messages name the key ("... at 'Heck:Http:Port' to type 'System.Int32'") but also
    // carry .NET type names; say it in the user's terms.
    private static string Describe(InvalidOperationException ex)
    {
        var message = ex.Message;
        var key = Regex.Match(message, @"'(Heck:[^']*)'");
        if (message.StartsWith("Failed to convert", StringComparison.Ordinal) && key.Success)
            return $"{key.Groups[1].Value} has a value of the wrong type ({ex.InnerException?.Message ?? message})";
        return message;
    }
}
