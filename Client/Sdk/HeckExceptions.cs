using Heck.Origins;

namespace Heck.Client.Sdk;

/// <summary>The base of the exceptions that <see cref="HeckClient"/> throws for expected failures.</summary>
public abstract class HeckException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Input that Heck rejects, with every bad field named as the HTTP API names it. Thrown before any
/// call to the cluster when local validation fails, and with the cluster's errors when it refuses.
/// </summary>
public sealed class HeckValidationException(IReadOnlyList<FieldError> errors)
    : HeckException("Invalid input: " + string.Join("; ", errors))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>
/// A valid write the cluster refused by a limit (<c>Heck:Limits</c>): as many origins as it may hold, or more probes
/// per second than its budget; nothing changed. The HTTP API answers 429 or 503 in the same cases.
/// </summary>
public sealed class HeckLimitException(AdmissionRefusal refusal) : HeckException(refusal.Detail)
{
    public AdmissionRefusal Refusal { get; } = refusal;
}

/// <summary>No gateway of the cluster could be reached (or none accepted the client) in time.</summary>
public sealed class HeckConnectionException(IReadOnlyList<string> gateways, string message, Exception? inner = null)
    : HeckException(message, inner)
{
    /// <summary>The gateways that were tried (or the SWIM seeds asked for them), as given.</summary>
    public IReadOnlyList<string> Gateways { get; } = gateways;
}

/// <summary>
/// A causal read that the gateway silo could not answer: its replica did not have every write this session saw
/// within the silo's bound (<c>Heck:Reads:CausalWaitMs</c>), e.g. because it is cut off. Retry, or read at
/// <see cref="ReadLevel.Local"/> and accept an older answer. The HTTP API answers 503 in the same case.
/// </summary>
public sealed class HeckCausalReadException(long waitedMs, IReadOnlyList<string> lacking)
    : HeckException($"The gateway silo waited {waitedMs} ms and still lacks {lacking.Count} write(s) this session saw ({string.Join(", ", lacking)}); retry shortly.")
{
    public long WaitedMs { get; } = waitedMs;

    /// <summary>The writes (dots) still missing there, as the HTTP problem's <c>lacking</c> names them.</summary>
    public IReadOnlyList<string> Lacking { get; } = lacking;
}
