namespace Heck.Silo.Configuration;

/// <summary><c>Heck:AdoNet</c>: Orleans' table-based membership on PostgreSQL.</summary>
public sealed class AdoNetSection
{
    public string? ConnectionString { get; set; }
}
