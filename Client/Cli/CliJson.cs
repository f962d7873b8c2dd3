using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Heck.Api;
using Heck.Client.Cli.Backend;
using Heck.Health;

namespace Heck.Client.Cli;

/// <summary>
/// The CLI's <c>--json</c> output: the HTTP API's conventions and shapes (camelCase, lower-case
/// enums, nulls left out; an origin's spec fields at top level and its health under <c>health</c>),
/// so that scripts read the same documents from <c>heck</c> and from <c>/api/origins</c>.
/// </summary>
internal static class CliJson
{
    /// <summary>For whole documents: indented.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: true);

    /// <summary>For streams (one document per line, as <c>heck watch --json</c> writes).</summary>
    public static JsonSerializerOptions Lines { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DictionaryKeyPolicy = null, // header names stay as written
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        // Generated metadata for the documents every command reads: reflection over them costs a tenth of a second at start.
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(CliJsonContext.Default, new DefaultJsonTypeInfoResolver());
        options.MakeReadOnly();
        return options;
    }
}

/// <summary><c>heck origins add --json</c>.</summary>
internal sealed record UpsertJson(bool Created, OriginDocument Origin);

/// <summary><c>heck origins rm --json</c> (written only when the origin existed).</summary>
internal sealed record RemoveJson(string Id, bool Removed);

/// <summary><c>heck origins ls --json</c>, as <c>GET /api/origins</c>.</summary>
internal sealed record OriginListJson(IReadOnlyList<OriginDocument> Items);

/// <summary><c>heck members --json</c>, as <c>GET /api/cluster/members</c>.</summary>
internal sealed record MembersJson(IReadOnlyList<MemberDocument> Members);

/// <summary>One line of <c>heck watch --json</c>.</summary>
internal sealed record TransitionJson(long? Sequence, string OriginId, DateTimeOffset At, HealthStatus From, HealthStatus To, string Reason)
{
    public static TransitionJson Of(WatchEvent e) =>
        new(e.Sequence, e.OriginId, e.Transition.At, e.Transition.From, e.Transition.To, e.Transition.Reason);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OriginListDocument))]
[JsonSerializable(typeof(OriginDocument))]
[JsonSerializable(typeof(Heck.Origins.OriginInput))]
[JsonSerializable(typeof(MembersDocument))]
[JsonSerializable(typeof(TransitionsDocument))]
[JsonSerializable(typeof(OriginListJson))]
[JsonSerializable(typeof(UpsertJson))]
[JsonSerializable(typeof(MembersJson))]
[JsonSerializable(typeof(TransitionJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
