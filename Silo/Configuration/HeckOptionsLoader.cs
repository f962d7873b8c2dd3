using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Heck.Silo.Configuration;

/// <summary>
/// Binds and validates the <c>Heck</c> section before anything starts, so a bad value stops the
/// silo with a message that names its key (e.g. <c>Heck:Http:Port</c>) instead of a stack trace.
/// </summary>
public static partial class HeckOptionsLoader
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();

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

    public static List<string> Validate(HeckOptions o)
    {
        var errors = new List<string>();
        void Port(string key, int value)
        {
            if (value is < 1 or > 65535) errors.Add($"Heck:{key} must be a port between 1 and 65535 (was {value})");
        }
        void Id(string key, string? value)
        {
            if (value is null || !IdPattern().IsMatch(value)) errors.Add($"Heck:{key} must match ^[A-Za-z0-9._-]{{1,64}}$ (was '{value}')");
        }
        void Address(string key, string? value)
        {
            if (!IPAddress.TryParse(value, out _)) errors.Add($"Heck:{key} must be an IP address (was '{value}')");
        }

        Id("Cluster:Id", o.Cluster.Id);
        Id("Cluster:ServiceId", o.Cluster.ServiceId);
        Port("Http:Port", o.Http.Port);
        Address("Http:ListenAddress", o.Http.ListenAddress);
        Port("Silo:Port", o.Silo.Port);
        Port("Silo:GatewayPort", o.Silo.GatewayPort);
        if (!AdvertisedAddress.IsValid(o.Silo.AdvertisedAddress))
            errors.Add($"{AdvertisedAddress.Key} must be an IP address or a host name (was '{o.Silo.AdvertisedAddress}')");
        if (o.Silo.Name is not null) Id("Silo:Name", o.Silo.Name);
        var ports = new[] { ("Http:Port", o.Http.Port), ("Silo:Port", o.Silo.Port), ("Silo:GatewayPort", o.Silo.GatewayPort) };
        foreach (var clash in ports.GroupBy(p => p.Item2).Where(g => g.Count() > 1))
            errors.Add($"{string.Join(" and ", clash.Select(p => "Heck:" + p.Item1))} must differ (all {clash.Key})");
        if (string.IsNullOrWhiteSpace(o.Storage.Path))
            errors.Add("Heck:Storage:Path must name a directory");
        else if (o.Storage.Path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            errors.Add($"Heck:Storage:Path is not a valid path (was '{o.Storage.Path}')");
        errors.AddRange(o.Gossip.Validate());
        if (!Enum.IsDefined(o.Membership.Provider))
            errors.Add($"Heck:Membership:Provider must be Swim, AdoNet or Development (was {o.Membership.Provider})");
        if (o.Membership.Provider == MembershipProvider.Swim)
        {
            errors.AddRange(o.Swim.Validate(o.Silo.AdvertisedAddress));
            var swimPorts = new[] { ("Http:Port", o.Http.Port), ("Silo:Port", o.Silo.Port), ("Silo:GatewayPort", o.Silo.GatewayPort) };
            foreach (var (key, port) in swimPorts.Where(p => p.Item2 == o.Swim.Port))
                errors.Add($"Heck:Swim:Port and Heck:{key} must differ (both {port})");
        }
        if (o.Membership.Provider == MembershipProvider.AdoNet &&
            Heck.Membership.AdoNet.HeckAdoNetClustering.ValidateConnectionString(o.AdoNet.ConnectionString) is { } adoError)
            errors.Add(adoError);
        if (o.Membership.PrimarySilo is { } primary && !IPEndPoint.TryParse(primary, out _))
            errors.Add($"Heck:Membership:PrimarySilo must be ip:port (was '{primary}')");
        if (!(o.Placement.Weight > 0) || !double.IsFinite(o.Placement.Weight))
            errors.Add($"Heck:Placement:Weight must be a finite number greater than 0 (was {o.Placement.Weight})");
        if (o.Placement.Confirmers is < 0 or > 10)
            errors.Add($"Heck:Placement:Confirmers must be between 0 and 10 (was {o.Placement.Confirmers})");
        if (o.OriginsFile is { } file && !File.Exists(file))
            errors.Add($"Heck:OriginsFile names a file that does not exist ('{Path.GetFullPath(file)}')");
        return errors;
    }

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
        }
    }

    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray && !type.IsGenericType;

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
