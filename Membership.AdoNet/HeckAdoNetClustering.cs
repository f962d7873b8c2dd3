using Npgsql;
using Orleans.Hosting;

namespace Heck.Membership.AdoNet;

/// <summary>
/// Orleans' table-based membership on PostgreSQL (<c>Heck:Membership:Provider = AdoNet</c>): the
/// alternative to SWIM for users who already run a database. The database needs the schema of
/// <see cref="SchemaInstaller"/>.
/// </summary>
public static class HeckAdoNetClustering
{
    /// <summary>The configuration key that holds the connection string.</summary>
    public const string ConnectionStringKey = "Heck:AdoNet:ConnectionString";

    /// <summary>The ADO.NET invariant that makes Orleans load Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Silo side: membership table and gateway list in PostgreSQL.</summary>
    /// <exception cref="ArgumentException">The connection string is missing or malformed; the message names <see cref="ConnectionStringKey"/>.</exception>
    public static ISiloBuilder UseHeckAdoNetClustering(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var valid = Require(connectionString);
        return builder.UseAdoNetClustering(options => (options.Invariant, options.ConnectionString) = (Invariant, valid));
    }

    /// <summary>Client side: finds gateways through the same table.</summary>
    /// <exception cref="ArgumentException">The connection string is missing or malformed; the message names <see cref="ConnectionStringKey"/>.</exception>
    public static IClientBuilder UseHeckAdoNetClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var valid = Require(connectionString);
        return builder.UseAdoNetClustering(options => (options.Invariant, options.ConnectionString) = (Invariant, valid));
    }

    /// <summary>
    /// Null when <paramref name="connectionString"/> is usable, otherwise a message that names
    /// <see cref="ConnectionStringKey"/> (and never repeats the string, which may hold a password).
    /// For configuration validators that collect every error before refusing to start.
    /// </summary>
    public static string? ValidateConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            return $"{ConnectionStringKey} is required when Heck:Membership:Provider is AdoNet " +
                   "(a PostgreSQL connection string, e.g. 'Host=db;Port=5432;Database=heck;Username=heck;Password=...')";
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return $"{ConnectionStringKey} is not a valid PostgreSQL connection string: {ex.Message}";
        }
        if (string.IsNullOrWhiteSpace(parsed.Host))
            return $"{ConnectionStringKey} must name the server with Host=... (a host name, an IP address or a unix socket directory)";
        return null;
    }

    private static string Require(string connectionString)
    {
        var error = ValidateConnectionString(connectionString);
        return error is null ? connectionString : throw new ArgumentException(error, nameof(connectionString));
    }
}
