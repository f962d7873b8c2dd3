using Orleans.TestingHost;

namespace Heck.Tests.Grains;

/// <summary>
/// A TestingHost cluster of Heck silos (each with its own storage folder) and a local HTTP
/// target, started before and stopped after each test. Subclasses choose size and test seams.
/// </summary>
public abstract class HeckClusterTest(int silos, params (string Key, string Value)[] properties) : IAsyncLifetime
{
    private readonly TempDirectory _storage = new();
    private TestingCluster? _cluster;

    protected TestCluster Cluster => Started.Cluster;
    protected TargetServer Target { get; private set; } = null!;

    /// <summary>The silos as in-process handles, in start order.</summary>
    protected IReadOnlyList<InProcessSiloHandle> Handles => Started.Silos;

    protected IServiceProvider Services(int silo) => Started.Services(silo);

    protected IReadOnlyList<IServiceProvider> AllServices => Started.AllServices;

    private TestingCluster Started => _cluster ?? throw new InvalidOperationException("the cluster has not started");

    public async Task InitializeAsync()
    {
        Target = await TargetServer.StartAsync();
        _cluster = await TestingCluster.StartAsync<HeckSiloConfigurator>(silos,
            [("HeckTestStorage", _storage.Path), .. properties.Select(p => (p.Key, (string?)p.Value))]);
    }

    public virtual async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (Target is not null) await Target.DisposeAsync();
        _storage.Dispose();
    }
}
