using System.Runtime.InteropServices;
using Heck.Membership.AdoNet;
using Heck.Silo.Cluster;
using Heck.Silo.Configuration;

try
{
    // `dotnet run --project Silo -- apply-schema --Heck:AdoNet:ConnectionString=…` installs the
    // PostgreSQL tables and queries of the ADO.NET membership provider, then exits.
    if (args.Length > 0 && args[0] == "apply-schema")
        return await ApplySchemaAsync(args[1..]);

    // The process owns the stop signals, not one host: a silo the cluster declared dead replaces its host with a new
    // generation (SiloGenerations), and a signal must stop the process whichever generation, or none, is running.
    using var stop = new CancellationTokenSource();
    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // stop through the host's graceful shutdown, not at once
        stop.Cancel();
    }
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
    return await new SiloGenerations(args).RunAsync(stop.Token);
}
catch (HeckConfigurationException ex)
{
    Console.Error.WriteLine($"heck: {ex.Message}");
    return 2;
}

static async Task<int> ApplySchemaAsync(string[] args)
{
    var configuration = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args)
        .Build();
    var connectionString = configuration[HeckAdoNetClustering.ConnectionStringKey];
    if (HeckAdoNetClustering.ValidateConnectionString(connectionString) is { } error)
    {
        Console.Error.WriteLine($"heck: {error}");
        return 2;
    }
    try
    {
        await SchemaInstaller.ApplyAsync(connectionString!, CancellationToken.None);
    }
    catch (Npgsql.NpgsqlException ex)
    {
        Console.Error.WriteLine($"heck: could not apply the schema: {ex.Message}");
        return 1;
    }
    Console.WriteLine("heck: ADO.NET membership schema applied");
    return 0;
}
