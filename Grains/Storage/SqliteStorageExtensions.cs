using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Providers;
using Orleans.Runtime.Hosting;

namespace Heck.Grains.Storage;

public static class SqliteStorageExtensions
{
    /// <summary>
    /// Adds <see cref="SqliteGrainStorage"/> as the default grain storage (the one grains get
    /// without a storage name), and as the unkeyed <see cref="IStoredGrainIndex"/>.
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteStorageOptions> configure) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>
    /// Adds <see cref="SqliteGrainStorage"/> under <paramref name="name"/>: a keyed
    /// <see cref="IGrainStorage"/> and a keyed <see cref="IStoredGrainIndex"/>, one instance,
    /// which opens its database during silo start.
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<SqliteStorageOptions>(name).Configure(configure);
        services.AddTransient<IConfigurationValidator>(sp => new SqliteStorageOptionsValidator(Options(sp, name), name));
        services.AddKeyedSingleton(name, (sp, _) => ActivatorUtilities.CreateInstance<SqliteGrainStorage>(sp, name, Options(sp, name)));

        // Orleans' own helper: keyed IGrainStorage, the unkeyed default, and the lifecycle participant.
        services.AddGrainStorage(name, (sp, key) => sp.GetRequiredKeyedService<SqliteGrainStorage>(key));
        services.AddKeyedSingleton<IStoredGrainIndex>(name, (sp, _) => sp.GetRequiredKeyedService<SqliteGrainStorage>(name));
        if (name == ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME)
            services.TryAddSingleton<IStoredGrainIndex>(sp => sp.GetRequiredKeyedService<SqliteGrainStorage>(name));
        return builder;
    }

    private static SqliteStorageOptions Options(IServiceProvider services, string name) =>
        services.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(name);
}
