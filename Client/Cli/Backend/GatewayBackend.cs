using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Heck.Api;
using Heck.Client.Sdk;
using Heck.Health;
using Heck.Origins;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Heck.Client.Cli.Backend;

/// <summary>
/// The Orleans gateway path (<c>--gateway</c>, <c>--seed</c>) as <see cref="IHeckBackend"/>, for those who use it.
/// Only this type touches Orleans, so the HTTP path never loads it. No ETags here: <c>set</c> reads and
/// writes without a precondition, and <c>apply</c>'s create-only writes are plain upserts.
/// </summary>
internal sealed class GatewayBackend(HeckClientOptions options, HeckClientFactory connect) : IHeckBackend
{
    private HeckClient? _client;

    public string Target { get; } = options.Seeds is { Count: > 0 } ? "SWIM seed " + string.Join(", ", options.Seeds) : "gateway " + string.Join(", ", options.Gateways);

    private async Task<HeckClient> ClientAsync(CancellationToken ct) => _client ??= await connect(options, ct);

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is SiloUnavailableException or ConnectionFailedException)
        {
            throw new HeckConnectionException([], $"lost the connection to the cluster: {ex.Message}", ex);
        }
    }

    public async Task<IReadOnlyList<OriginDocument>> ListAsync(HealthStatus? status, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        return (await Call(() => client.ListOriginsAsync(status, ct))).Select(OriginDocument.From).ToList();
    }

    public async Task<(OriginDocument Origin, string? ETag)?> GetAsync(string id, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        return await Call(() => client.GetOriginAsync(id, ct)) is { } view ? (OriginDocument.From(view), null) : null;
    }

    public async Task<(bool Created, OriginDocument Origin)> PutAsync(string id, OriginInput input, bool createOnly, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        var result = await Call(() => client.UpsertOriginAsync(id, input, ct));
        return (result.Created, OriginDocument.From(result.View));
    }

    public async Task<OriginDocument?> PatchAsync(string id, JsonObject patch, string? ifMatch, CancellationToken ct)
    {
        if (await GetAsync(id, ct) is not { } current) return null;
        var merged = MergePatch.Apply(OriginInputJson.AsInput(current.Origin), patch)!;
        var input = merged.Deserialize<OriginInput>(CliJson.Options)!;
        return (await PutAsync(id, input, createOnly: false, ct)).Origin;
    }

    public async Task<bool> RemoveAsync(string id, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        return await Call(() => client.RemoveOriginAsync(id, ct));
    }

    public async Task<IReadOnlyList<TransitionDocument>?> TransitionsAsync(string id, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        // The gateway silo's replica, as over HTTP: no call to the owner.
        var transitions = await Call(() => client.GetTransitionsAsync(id, ct));
        return transitions?.Select(t => new TransitionDocument(t.Transition.At, t.Transition.From, t.Transition.To, t.Transition.Reason)).ToList();
    }

    public async Task<IReadOnlyList<MemberDocument>> MembersAsync(CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        return (await Call(() => client.GetMembersAsync(ct)))
            .Select(m => new MemberDocument(m.Address, m.Status, m.Generation, m.Name, m.Gateway, m.Incarnation)).ToList();
    }

    public async Task<(int Origins, IAsyncEnumerable<WatchEvent> Events)> WatchAsync(string? originId, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        var count = originId is null ? (await Call(() => client.ListOriginsAsync(null, ct))).Count : 1;
        return (count, Events(client, originId, ct));
    }

    private static async IAsyncEnumerable<WatchEvent> Events(HeckClient client, string? originId, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var e = client.WatchAsync(originId, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            bool more;
            try
            {
                more = await e.MoveNextAsync();
            }
            catch (Exception ex) when (ex is SiloUnavailableException or ConnectionFailedException)
            {
                throw new HeckConnectionException([], $"lost the connection to the cluster: {ex.Message}", ex);
            }
            if (!more) yield break;
            var t = e.Current.Transition;
            yield return new WatchEvent(e.Current.Sequence, e.Current.OriginId, new TransitionDocument(t.At, t.From, t.To, t.Reason));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
    }
}
