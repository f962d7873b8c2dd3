namespace Heck.Silo.Configuration;

public enum MembershipProvider { Swim, AdoNet, Development }

/// <summary><c>Heck:Membership</c>: who decides which silos are in the cluster.</summary>
public sealed class MembershipSection
{
    /// <summary>Swim (default, no database), AdoNet (Orleans' table protocol on PostgreSQL), or Development (one primary silo).</summary>
    public MembershipProvider Provider { get; set; } = MembershipProvider.Swim;
    /// <summary>Development only: the primary silo's <c>host:siloPort</c>; unset means this silo is the primary.</summary>
    public string? PrimarySilo { get; set; }
}
