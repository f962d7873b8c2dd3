namespace Heck.Origins;

/// <summary>One invalid field of an origin: its name as the API spells it, and why.</summary>
[GenerateSerializer, Alias("heck.FieldError"), Immutable]
public sealed record FieldError([property: Id(0)] string Field, [property: Id(1)] string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
