using Heck.Silo;
using Heck.Silo.Configuration;

try
{
    var app = HeckHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (HeckConfigurationException ex)
{
    Console.Error.WriteLine($"heck: {ex.Message}");
    return 2;
}
