using System.Net;
using System.Text.RegularExpressions;
using Heck.Grains.Replica;
using Heck.Membership.AdoNet;
using Heck.Membership.Swim;
using Microsoft.Extensions.Options;

namespace Heck.Silo.Configuration;

/// <summary>
/// Checks the whole <c>Heck</c> section, sections and the rules between them (ports that must
/// differ, what each membership provider needs); every failure names its key.
/// </summary>
public sealed partial class HeckOptionsValidator : IValidateOptions<HeckOptions>
{
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")] // \z: $ would also match before a final newline
    private static partial Regex IdPattern();

    public ValidateOptionsResult Validate(string? name, HeckOptions options)
    {
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Check(HeckOptions o)
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

        Id("Cluster:Id", o.Cluster.Id);
        Id("Cluster:ServiceId", o.Cluster.ServiceId);
        Port("Http:Port", o.Http.Port);
        if (!IPAddress.TryParse(o.Http.ListenAddress, out _))
            errors.Add($"Heck:Http:ListenAddress must be an IP address (was '{o.Http.ListenAddress}')");
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
        if (new GossipOptionsValidator().Validate(null, o.Gossip).Failures is { } gossip) errors.AddRange(gossip);
        if (new ReadOptionsValidator().Validate(null, o.Reads).Failures is { } reads) errors.AddRange(reads);
        if (new Heck.Grains.Probing.ProbingOptionsValidator().Validate(null, o.Probing).Failures is { } probing) errors.AddRange(probing);
        if (new Heck.Grains.Origins.LimitsOptionsValidator().Validate(null, o.Limits).Failures is { } limits) errors.AddRange(limits);
        if (!Enum.IsDefined(o.Membership.Provider))
            errors.Add($"Heck:Membership:Provider must be Swim, AdoNet or Development (was {o.Membership.Provider})");
        if (o.Membership.Provider == MembershipProvider.Swim)
        {
            errors.AddRange(Swim(o.Swim, o.Silo.AdvertisedAddress));
            foreach (var (key, port) in ports.Where(p => p.Item2 == o.Swim.Port))
                errors.Add($"Heck:Swim:Port and Heck:{key} must differ (both {port})");
        }
        if (o.Membership.Provider == MembershipProvider.AdoNet &&
            HeckAdoNetClustering.ValidateConnectionString(o.AdoNet.ConnectionString) is { } adoError)
            errors.Add(adoError);
        if (o.Membership.PrimarySilo is { } primary && !IPEndPoint.TryParse(primary, out _))
            errors.Add($"Heck:Membership:PrimarySilo must be ip:port (was '{primary}')");
        if (!(o.Placement.Weight > 0) || !double.IsFinite(o.Placement.Weight))
            errors.Add($"Heck:Placement:Weight must be a finite number greater than 0 (was {o.Placement.Weight})");
        if (o.Placement.Confirmers is < 0 or > 10)
            errors.Add($"Heck:Placement:Confirmers must be between 0 and 10 (was {o.Placement.Confirmers})");
        if (o.Placement.RecoveryConfirmers is < 0 or > 10)
            errors.Add($"Heck:Placement:RecoveryConfirmers must be between 0 and 10 (was {o.Placement.RecoveryConfirmers})");
        if (o.OriginsFile is { } file && !File.Exists(file))
            errors.Add($"Heck:OriginsFile names a file that does not exist ('{Path.GetFullPath(file)}')");
        errors.AddRange(Heck.Silo.Security.SecurityOptionsValidator.Check(o));
        return errors;
    }

    private static IEnumerable<string> Swim(SwimSection s, string advertisedAddress)
    {
        if (s.Port is < 1 or > 65535) yield return $"Heck:Swim:Port must be a port between 1 and 65535 (was {s.Port})";
        if (s.BindAddress is not null && !IPAddress.TryParse(s.BindAddress, out _)) yield return $"Heck:Swim:BindAddress must be an IP address (was '{s.BindAddress}')";
        static string? Range(string key, int? value, int min, int max) =>
            value is { } v && (v < min || v > max) ? $"Heck:Swim:{key} must be between {min} and {max} (was {v})" : null;
        if (s.Settings() is not { } settings)
        {
            yield return $"Heck:Swim:Profile must be one of {string.Join(", ", SwimProfiles.Names)} (was '{s.Profile}')";
            yield break;
        }
        foreach (var e in new[]
        {
            Range("ProbeIntervalMs", s.ProbeIntervalMs, 50, 60_000), Range("ProbeTimeoutMs", s.ProbeTimeoutMs, 10, 60_000),
            Range("IndirectChecks", s.IndirectChecks, 0, 16), Range("SuspicionMult", s.SuspicionMult, 1, 32),
            Range("RetransmitMult", s.RetransmitMult, 1, 32), Range("PushPullIntervalMs", s.PushPullIntervalMs, 1000, 3_600_000),
            Range("GossipIntervalMs", s.GossipIntervalMs, 10, 60_000), Range("JoinTimeoutMs", s.JoinTimeoutMs, 1000, 600_000),
        })
            if (e is not null) yield return e;
        if (s.IsOpenBeyondLoopback(advertisedAddress) && !s.AllowUnauthenticated)
            yield return $"Heck:Swim:Keys must hold at least one key when SWIM binds a non-loopback address ('{s.BindAddress ?? advertisedAddress}'): " +
                "anyone who reaches the port could forge members and deaths. Generate one with 'openssl rand -base64 32', or set " +
                "Heck:Swim:AllowUnauthenticated = true to accept the risk";
        if (!(s.InjectLossPercent is >= 0 and <= 100))
            yield return $"Heck:Swim:InjectLossPercent must be a percentage between 0 and 100 (was {s.InjectLossPercent})";
        if (settings.ProbeTimeout >= settings.ProbeInterval)
            yield return $"Heck:Swim:ProbeTimeoutMs must be less than ProbeIntervalMs ({settings.ProbeInterval.TotalMilliseconds}) (was {settings.ProbeTimeout.TotalMilliseconds})";
        string[] detailed;
        try { detailed = [.. s.ToClustering(advertisedAddress).Validate()]; }
        catch (Exception ex) when (ex is ArgumentException or FormatException) { detailed = [ex.Message]; }
        // Seeds and keys are checked by the SWIM library; say it in Heck's keys.
        foreach (var e in detailed.Where(e => e.Contains("Seeds", StringComparison.Ordinal) || e.Contains("Keys", StringComparison.Ordinal) || e.Contains("AllowedNetworks", StringComparison.Ordinal)))
            yield return Regex.Replace(e.Replace("SwimClusteringOptions.", "Heck:Swim:", StringComparison.Ordinal), @"\[(\d+)\]", ":$1");
    }
}
