namespace Heck.Origins;

/// <summary>
/// How consistent a read must be (<c>?consistency=</c> on the HTTP API; the SDK's read overloads). Each level
/// admits fewer anomalies and costs more; docs/DESIGN.md ("Read levels") has the table.
/// </summary>
public enum ReadLevel
{
    /// <summary>This silo's replica as it is now: immediate, may be stale, may miss the reader's own write.</summary>
    Local,

    /// <summary>This silo's replica once it covers the reader's causal token: read-your-writes and monotonic reads.</summary>
    Causal,

    /// <summary>The origin's owning grain (one origin only): the coordinated path, a call to the owner's silo.</summary>
    Owner,
}

public static class ReadLevels
{
    public const string QueryName = "consistency";

    /// <summary>Reads a <c>?consistency=</c> value (lower case, as documented); false for anything else.</summary>
    public static bool TryParse(string? text, out ReadLevel level)
    {
        (var ok, level) = text switch
        {
            "local" => (true, ReadLevel.Local),
            "causal" => (true, ReadLevel.Causal),
            "owner" => (true, ReadLevel.Owner),
            _ => (false, ReadLevel.Local),
        };
        return ok;
    }

    public static string Name(this ReadLevel level) => level.ToString().ToLowerInvariant();
}
