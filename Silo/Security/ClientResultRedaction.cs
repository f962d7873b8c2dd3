using Heck.Health;
using Heck.Origins;
using Heck.Replication;

namespace Heck.Silo.Security;

/// <summary>
/// What an Orleans client (the SDK, the CLI's gateway path) reads has its secrets masked, as the HTTP API's documents
/// do (<see cref="Redaction"/>): a client never needs them, since a <c>***</c> it sends back keeps the stored value in
/// the origin's grain. Calls from grains and from the silo's own hosted client (the HTTP API, which masks its own
/// documents) get the stored spec.
/// </summary>
public sealed class ClientResultRedaction : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (!ClientTokenGuard.FromExternalClient(context.SourceId)) return;
        context.Result = Masked(context.Result);
    }

    /// <summary>The result with every origin spec in it masked; anything else as it is.</summary>
    public static object? Masked(object? result) => result switch
    {
        OriginView view => Mask(view),
        IReadOnlyList<OriginView> views => views.Select(Mask).ToList(),
        CausalRead<OriginView> read => read with { Value = read.Value is { } v ? Mask(v) : null },
        CausalRead<IReadOnlyList<OriginView>> read => read with { Value = read.Value?.Select(Mask).ToList() },
        OwnedRead owned => owned with { View = owned.View is { } v ? Mask(v) : null },
        ConfigureResult configured => configured with { View = configured.View is { } v ? Mask(v) : null },
        _ => result,
    };

    private static OriginView Mask(OriginView view) => view with { Spec = Redaction.Spec(view.Spec) };
}
