using Heck.Membership.Orleans;
using Orleans.Runtime;

namespace Heck.Silo.Cluster;

/// <summary>
/// Orleans' fatal-error handler, except when the membership says this silo is dead. Orleans' <c>MembershipTableManager</c>
/// reports "I have been told I am dead, so this silo will stop!" here, and its own handler then calls
/// <c>Environment.FailFast</c>: the process would end and only an outside supervisor could bring it back. Instead, this
/// asks <see cref="SiloGenerations"/> for a new generation, which stops this host cleanly and starts another. Every other
/// fatal error (and "a newer generation of me exists", which a new generation would not fix) still goes to Orleans' handler.
/// </summary>
internal sealed class RejoiningFatalErrorHandler(IFatalErrorHandler orleans, RejoinSignal signal, IServiceProvider services,
    ILogger<RejoiningFatalErrorHandler> logger) : IFatalErrorHandler
{
    /// <summary>How Orleans' membership words it when the table says this silo is dead.</summary>
    internal const string ToldDead = "I have been told I am dead";

    private const string NewerGeneration = "Detected newer version of myself";

    public bool IsUnexpected(Exception exception) => orleans.IsUnexpected(exception);

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        if (IsDeclaredDead(context))
        {
            logger.LogInformation("Orleans reported that the membership declared this generation dead; not ending the process: the silo rejoins as a new generation");
            signal.Request("the cluster declared this silo dead", Peers());
            return;
        }
        orleans.OnFatalException(sender, context, exception);
    }

    private bool IsDeclaredDead(string? context)
    {
        if (services.GetService<SwimMembership>() is { IsDeclaredDead: true }) return true;
        return context is not null && context.Contains(ToldDead, StringComparison.Ordinal)
            && !context.Contains(NewerGeneration, StringComparison.Ordinal);
    }

    private IReadOnlyList<string> Peers() => services.GetService<SwimMembership>()?.PeerEndpoints() ?? [];
}
