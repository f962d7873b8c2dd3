using System.Text.Json.Nodes;
using Heck.Api;
using Heck.Health;
using Heck.Origins;

namespace Heck.Client.Cli.Backend;

/// <summary>
/// What the commands ask of a cluster, in the HTTP API's documents: over HTTP (<see cref="HttpBackend"/>, the
/// default) or through an Orleans gateway (<see cref="GatewayBackend"/>, loaded only when asked for).
/// </summary>
internal interface IHeckBackend : IAsyncDisposable
{
    /// <summary>Where the commands go, for messages: <c>http://127.0.0.1:8080</c> or <c>gateway 127.0.0.1:30000</c>.</summary>
    string Target { get; }

    Task<IReadOnlyList<OriginDocument>> ListAsync(HealthStatus? status, CancellationToken ct);

    /// <summary>The origin and its ETag (null over a gateway), or null when it is not registered.</summary>
    Task<(OriginDocument Origin, string? ETag)?> GetAsync(string id, CancellationToken ct);

    /// <summary>Creates or replaces; <paramref name="createOnly"/> refuses (412) an origin that exists.</summary>
    Task<(bool Created, OriginDocument Origin)> PutAsync(string id, OriginInput input, bool createOnly, CancellationToken ct);

    /// <summary>Changes the fields <paramref name="patch"/> names (RFC 7396); null when the origin is not registered.</summary>
    Task<OriginDocument?> PatchAsync(string id, JsonObject patch, string? ifMatch, CancellationToken ct);

    Task<bool> RemoveAsync(string id, CancellationToken ct);

    /// <summary>The origin's kept transitions, oldest first; null when it is not registered.</summary>
    Task<IReadOnlyList<TransitionDocument>?> TransitionsAsync(string id, CancellationToken ct);

    Task<IReadOnlyList<MemberDocument>> MembersAsync(CancellationToken ct);

    /// <summary>Transitions from now on, of one origin or all; <paramref name="origins"/> is how many are watched.</summary>
    Task<(int Origins, IAsyncEnumerable<WatchEvent> Events)> WatchAsync(string? originId, CancellationToken ct);
}

/// <summary>One health transition, as <c>GET /api/origins/{id}/transitions</c> lists it.</summary>
internal sealed record TransitionDocument(DateTimeOffset At, HealthStatus From, HealthStatus To, string Reason);

/// <summary>A transition seen by <c>watch</c>; <see cref="Sequence"/> is the gateway silo's number (none over HTTP).</summary>
internal sealed record WatchEvent(long? Sequence, string OriginId, TransitionDocument Transition);

/// <summary>A silo, as <c>GET /api/cluster/members</c> lists it.</summary>
internal sealed record MemberDocument(string Address, string Status, int Generation, string? Name, string? Gateway, uint? Incarnation);

internal sealed record MembersDocument(IReadOnlyList<MemberDocument> Members);

internal sealed record TransitionsDocument(IReadOnlyList<TransitionDocument> Items);

/// <summary>The cluster refused the call for a reason to tell the user as it is (a 409, a 412, a 5xx): exit code 1.</summary>
internal sealed class ApiRefusedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
