using Heck.Health;

namespace Heck.Client.Sdk;

/// <summary>The outcome of <see cref="HeckClient.UpsertOriginAsync"/>: whether the origin is new, and how it now looks.</summary>
public sealed record UpsertResult(bool Created, OriginView View);
