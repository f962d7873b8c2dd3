using Heck.Membership.Orleans;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;

namespace Heck.Silo.Cluster;

public static class RejoinExtensions
{
    /// <summary>
    /// Lets this host ask <see cref="SiloGenerations"/> for a new generation when the cluster declares it dead, instead
    /// of Orleans ending the process: Orleans' fatal-error handler is wrapped (it still handles every other fatal
    /// error), and with SWIM the agent's death is watched from the silo's first lifecycle stage.
    /// </summary>
    public static ISiloBuilder UseHeckRejoin(this ISiloBuilder silo, RejoinSignal signal)
    {
        var services = silo.Services;
        services.AddSingleton(signal);
        var orleans = services.LastOrDefault(d => d.ServiceType == typeof(IFatalErrorHandler))
            ?? throw new InvalidOperationException("Orleans registered no IFatalErrorHandler; call UseHeckRejoin inside UseOrleans.");
        services.Replace(ServiceDescriptor.Singleton<IFatalErrorHandler>(sp => new RejoiningFatalErrorHandler(
            Create(sp, orleans), signal, sp, sp.GetRequiredService<ILogger<RejoiningFatalErrorHandler>>())));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetService<SwimMembership>() is { } swim
            ? new RejoinOnSwimDeath(swim, signal)
            : NoParticipant.Instance);
        return silo;
    }

    /// <summary>The service <paramref name="descriptor"/> describes, made the way the container would have made it.</summary>
    private static IFatalErrorHandler Create(IServiceProvider sp, ServiceDescriptor descriptor) => (IFatalErrorHandler)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));

    private sealed class NoParticipant : ILifecycleParticipant<ISiloLifecycle>
    {
        public static NoParticipant Instance { get; } = new();
        public void Participate(ISiloLifecycle lifecycle) { }
    }
}
