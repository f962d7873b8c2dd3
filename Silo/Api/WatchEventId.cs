using System.Globalization;

namespace Heck.Silo.Api;

/// <summary>
/// The <c>id:</c> of a watch event, <c>&lt;log generation&gt;-&lt;sequence&gt;</c>: the generation says which run
/// of which silo's log the number belongs to, so a <c>Last-Event-ID</c> from elsewhere is told apart.
/// </summary>
public readonly record struct WatchEventId(string Generation, long Sequence)
{
    public override string ToString() => $"{Generation}-{Sequence.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads an id as <see cref="ToString"/> writes it; false for anything else.</summary>
    public static bool TryParse(string? text, out WatchEventId id)
    {
        id = default;
        if (string.IsNullOrEmpty(text) || text.Length > 64) return false;
        var dash = text.LastIndexOf('-');
        if (dash <= 0) return false;
        var generation = text[..dash];
        if (!generation.All(char.IsAsciiLetterOrDigit)) return false;
        if (!long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) return false;
        id = new WatchEventId(generation, sequence);
        return true;
    }
}
