namespace Heck.Grains.Probing;

/// <summary>
/// <c>Heck:Probing</c>: which addresses probes may reach (<see cref="NetworkPolicy"/>). Link-local and cloud
/// metadata addresses are always denied (<see cref="DefaultDenyNetworks"/>); <see cref="DenyNetworks"/> adds to
/// them and <see cref="AllowNetworks"/> lifts a denial for the networks it lists.
/// </summary>
public sealed class ProbingOptions
{
    public const string SectionName = "Heck:Probing";

    /// <summary>Link-local (where cloud metadata services answer), Alibaba's and AWS's IPv6 metadata addresses.</summary>
    public static readonly IReadOnlyList<string> DefaultDenyNetworks = ["169.254.0.0/16", "fe80::/10", "100.100.100.200/32", "fd00:ec2::254/128"];

    /// <summary>CIDR networks denied besides <see cref="DefaultDenyNetworks"/>, e.g. <c>10.0.0.0/8</c>.</summary>
    public string[] DenyNetworks { get; set; } = [];

    /// <summary>CIDR networks allowed although a deny network holds them, when at least as narrow as that deny network.</summary>
    public string[] AllowNetworks { get; set; } = [];
}
