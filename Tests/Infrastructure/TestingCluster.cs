using Orleans.TestingHost;

namespace Heck.Tests.Infrastructure;

/// <summary>
/// A TestingHost cluster as the cluster tests start it. The knobs are what they vary: the number of
/// silos, one silo configurator, and builder properties (which the configurator reads as silo
/// configuration). Disposing stops every silo.
/// </summary>
public sealed class TestingCluster : IAsyncDisposable
{
    private TestingCluster(TestCluster cluster) => Cluster = cluster;

    public TestCluster Cluster { get; }

    /// <summary>The silos as in-process handles (TestingHost's default), in start order.</summary>
    public IReadOnlyList<InProcessSiloHandle> Silos => Cluster.Silos.Cast<InProcessSiloHandle>().ToList();

    public IServiceProvider Services(int silo) => Silos[silo].SiloHost.Services;

    public IReadOnlyList<IServiceProvider> AllServices => Silos.Select(s => s.SiloHost.Services).ToList();

    /// <summary>Deploys the cluster; a cluster that fails to deploy (or takes longer than <paramref name="within"/>) is disposed.</summary>
    public static async Task<TestingCluster> StartAsync<TConfigurator>(int silos, IEnumerable<(string Key, string? Value)> properties,
        TimeSpan? within = null)
        where TConfigurator : ISiloConfigurator, new()
    {
        var builder = new TestClusterBuilder((short)silos);
        foreach (var (key, value) in properties)
            if (value is not null) builder.Properties[key] = value;
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync().WaitAsync(within ?? TimeSpan.FromMinutes(2));
            return new TestingCluster(cluster);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
