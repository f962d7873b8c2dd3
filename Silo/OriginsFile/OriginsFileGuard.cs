using Heck.Origins;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// Refuses writes to file-managed origins that do not come through the HTTP API (which answers
/// 409 itself): the SDK and the CLI call <see cref="IOriginGrain"/> through the client gateway.
/// Runs on the silo of the grain's activation, which reads the same file. <c>Configure</c> (and <c>ConfigureIf</c>) answers
/// a field error on <c>id</c> (the SDK throws <c>HeckValidationException</c>, the CLI prints it);
/// <c>Remove</c> and <c>RemoveIf</c>, which have no error result, throw. The applier's own calls carry
/// <see cref="AppliedByFileKey"/> in the request context and pass.
/// </summary>
public sealed class OriginsFileGuard(OriginsFileStatus status) : IIncomingGrainCallFilter
{
    public const string AppliedByFileKey = "heck.origins-file";

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType != typeof(IOriginGrain)
            || context.InterfaceMethod.Name is not (nameof(IOriginGrain.Configure) or nameof(IOriginGrain.ConfigureIf)
            or nameof(IOriginGrain.Remove) or nameof(IOriginGrain.RemoveIf))
            || RequestContext.Get(AppliedByFileKey) is not null
            || ManagedByFile.Message(status, context.TargetId.Key.ToString()!) is not { } message)
            return context.Invoke();
        if (context.InterfaceMethod.Name is nameof(IOriginGrain.Remove) or nameof(IOriginGrain.RemoveIf))
            throw new InvalidOperationException(message);
        context.Result = new ConfigureResult(false, null, [new FieldError("id", message)]);
        return Task.CompletedTask;
    }
}
