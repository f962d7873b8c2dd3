using System.Runtime.InteropServices;

namespace Heck.Benchmarks.Measurement;

/// <summary>A scenario's result: printed as a markdown table, optionally written as JSON.</summary>
public sealed class Report(string scenario, IReadOnlyDictionary<string, object> parameters)
{
    private readonly List<string[]> _rows = [];
    private string[] _header = [];

    public string Scenario { get; } = scenario;
    public IReadOnlyDictionary<string, object> Parameters { get; } = parameters;
    public Dictionary<string, object> Results { get; } = [];

    public void Columns(params string[] header) => _header = header;
    public void Row(params string[] cells) => _rows.Add(cells);

    public static string Machine =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    public void Print(TextWriter output)
    {
        output.WriteLine($"### {Scenario}");
        output.WriteLine();
        output.WriteLine($"Parameters: {string.Join(", ", Parameters.Select(p => $"{p.Key}={p.Value}"))}. Machine: {Machine}.");
        output.WriteLine();
        output.WriteLine("| " + string.Join(" | ", _header) + " |");
        output.WriteLine("|" + string.Concat(_header.Select(_ => "---|")));
        foreach (var row in _rows) output.WriteLine("| " + string.Join(" | ", row) + " |");
        output.WriteLine();
    }

    /// <summary>Prints the table and, when <paramref name="jsonPath"/> is given, writes the JSON too.</summary>
    public async Task PublishAsync(TextWriter output, string? jsonPath)
    {
        Print(output);
        if (jsonPath is not null) await WriteJsonAsync(jsonPath);
    }

    public async Task WriteJsonAsync(string path)
    {
        var document = new { scenario = Scenario, machine = Machine, at = DateTimeOffset.UtcNow, parameters = Parameters, results = Results };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
