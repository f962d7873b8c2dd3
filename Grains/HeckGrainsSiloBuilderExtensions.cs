using Heck.Grains.Origins;
using Heck.Grains.Probing;
using Heck.Grains.Replica;
using Heck.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;

namespace Heck.Grains;

public static class HeckGrainsSiloBuilderExtensions
{
    /// <summary>
    /// Everything a silo needs to own, probe and serve origins: durable storage in
    /// <paramref name="storagePath"/>, the prober, the local replica and the resumer.
    /// </summary>
    public static ISiloBuilder AddHeckGrains(this ISiloBuilder silo, string storagePath)
    {
        silo.AddSqliteGrainStorageAsDefault(o => o.DirectoryPath = storagePath);
        var services = silo.Services;
        services.TryAddSingleton(TimeProvider.System);
        // TryAdd, so tests can put a failing or counting prober in front of the real one.
        services.TryAddSingleton<IOriginProber, OriginProber>();
        services.AddSingleton<LocalReplica>();
        services.AddSingleton<MembershipReader>();
        services.AddSingleton<OriginResumer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<OriginResumer>());
        return silo;
    }
}
