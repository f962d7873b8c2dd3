using System.Text.Json;

namespace Heck.Silo.OriginsFile;

/// <summary>
/// The ids the origins file managed at its last apply, kept next to the journal
/// (<c>origins-file.json</c> under <c>Heck:Storage:Path</c>), so an entry removed from the file
/// while the silo was down is still deleted at the next start. Per silo and not replicated: every
/// silo reads the same file, so each knows on its own what that file manages.
/// </summary>
public sealed class OriginsFileState(string storagePath)
{
    public const string FileName = "origins-file.json";

    public string FilePath { get; } = Path.Combine(storagePath, FileName);

    public IReadOnlySet<string> Load()
    {
        try
        {
            var saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(FilePath));
            return new HashSet<string>(saved?.Managed ?? [], StringComparer.Ordinal);
        }
        catch (FileNotFoundException)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }
        catch (DirectoryNotFoundException)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            // Unreadable state loses only the memory of removed entries: they are kept, never wrongly deleted.
            return new HashSet<string>(StringComparer.Ordinal);
        }
    }

    /// <summary>Writes the set atomically (a whole new file renamed over the old one).</summary>
    public void Save(string originsFile, IEnumerable<string> managed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temporary = FilePath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new Saved(originsFile, managed.Order(StringComparer.Ordinal).ToList())));
        File.Move(temporary, FilePath, overwrite: true);
    }

    /// <summary>Forgets what the file managed: its origins stay, as ordinary (API-managed) origins.</summary>
    public void Clear()
    {
        if (File.Exists(FilePath)) File.Delete(FilePath);
    }

    private sealed record Saved(string? File, List<string>? Managed);
}
