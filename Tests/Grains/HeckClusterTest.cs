using Heck.Tests.Infrastructure;
using Orleans.TestingHost;
using Xunit;

namespace Heck.Tests.Grains;

/// <summary>
/// A TestingHost cluster of Heck silos (each with its own storage folder) and a local HTTP
/// target, started before and stopped after each test. Subclasses choose size and test seams.
/// </summary>
public abstract class HeckClusterTest(int silos, params (string Key, string Value)[] properties) : IAsyncLifetime
{
    private readonly TempDirectory _storage = new();

    protected TestCluster Cluster { get; private set; } = null!;
    protected TargetServer Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Target = await TargetServer.StartAsync();
        var builder = new TestClusterBuilder((short)silos);
        builder.Properties["HeckTestStorage"] = _storage.Path;
        foreach (var (key, value) in properties) builder.Properties[key] = value;
        builder.AddSiloBuilderConfigurator<HeckSiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        await Target.DisposeAsync();
        _storage.Dispose();
    }
}
