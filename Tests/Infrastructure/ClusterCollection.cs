namespace Heck.Tests.Infrastructure;

/// <summary>
/// Tests that run real clusters (TestingHost or silo processes) depend on timers and failure
/// detection; on a 2-core machine CPU-bound classes (simulations, fuzzing) running beside them
/// starve those timers. They run in this collection, one at a time, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Clusters";
}
