namespace Heck.Cluster;

/// <summary>
/// One silo as the answering silo's view shows it. <see cref="Status"/> is one of
/// <c>joining|alive|suspect|leaving|left|dead</c>.
/// </summary>
[GenerateSerializer, Alias("heck.ClusterMember"), Immutable]
public sealed record ClusterMember
{
    /// <summary>The silo's <c>host:siloPort</c>.</summary>
    [Id(0)] public required string Address { get; init; }
    [Id(1)] public required string Status { get; init; }
    /// <summary>The silo's generation (start time stamp): a restarted silo is a new member.</summary>
    [Id(2)] public int Generation { get; init; }
    [Id(3)] public string? Name { get; init; }
    /// <summary>The client gateway, as <c>host:port</c>, when the silo has one.</summary>
    [Id(4)] public string? Gateway { get; init; }
    /// <summary>SWIM incarnation (raised each time the member refutes a suspicion); null without SWIM.</summary>
    [Id(5)] public uint? Incarnation { get; init; }
}
