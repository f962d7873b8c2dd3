using Heck.Membership.AdoNet;
using Heck.Silo;
using Heck.Silo.Configuration;

try
{
    // `dotnet run --project Silo -- apply-schema --Heck:AdoNet:ConnectionString=…` installs the
    // PostgreSQL tables and queries of the ADO.NET membership provider, then exits.
    if (args.Length > 0 && args[0] == "apply-schema")
        return await ApplySchemaAsync(args[1..]);
    var app = HeckHost.Build(args);
    await app.RunAsync();
    return 0;
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
