namespace Heck.Tests.Deployment;

/// <summary>
/// A Dockerfile as a list of stages of instructions: continuation lines joined, comments and parser
/// directives dropped. Enough to check what docker/Dockerfile builds, not a full Dockerfile parser.
/// </summary>
internal sealed class DockerfileModel
{
    private DockerfileModel(IReadOnlyList<DockerStage> stages) => Stages = stages;

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Final => Stages[^1];

    public static DockerfileModel Load(string path) => Parse(File.ReadAllText(path));

    public static DockerfileModel Parse(string text)
    {
        var stages = new List<DockerStage>();
        var logical = new List<string>();
        var current = "";
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#')) continue; // comments and parser directives; comment lines inside a continuation are skipped too
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            current += line;
            if (current.Trim().Length > 0) logical.Add(current.Trim());
            current = "";
        }
        if (current.Trim().Length > 0) throw new FormatException("the Dockerfile ends inside a continued line");

        foreach (var line in logical)
        {
            var space = line.IndexOfAny([' ', '\t']);
            var instruction = new DockerInstruction(
                (space < 0 ? line : line[..space]).ToUpperInvariant(),
                space < 0 ? "" : line[(space + 1)..].Trim());
            if (instruction.Keyword == "FROM")
            {
                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var image = words.First(w => !w.StartsWith("--", StringComparison.Ordinal));
                var name = words.Length >= 3 && words[^2].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[^1] : null;
                stages.Add(new DockerStage(image, name));
            }
            else if (stages.Count == 0)
            {
                if (instruction.Keyword != "ARG") throw new FormatException($"{instruction.Keyword} before the first FROM");
            }
            else
            {
                stages[^1].Instructions.Add(instruction);
            }
        }
        if (stages.Count == 0) throw new FormatException("no FROM");
        return new DockerfileModel(stages);
    }
}

internal sealed record DockerInstruction(string Keyword, string Arguments);

internal sealed class DockerStage(string image, string? name)
{
    public string Image { get; } = image;

    public string? Name { get; } = name;

    public List<DockerInstruction> Instructions { get; } = [];

    public IEnumerable<string> All(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>The stage's ENV, in order (<c>ENV a=1 b="x y"</c>, and the old <c>ENV a 1</c> form).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment
    {
        get
        {
            var result = new List<KeyValuePair<string, string>>();
            foreach (var arguments in All("ENV"))
            {
                var words = Words(arguments);
                if (words.Count >= 2 && !words[0].Contains('=', StringComparison.Ordinal))
                {
                    result.Add(new(words[0], string.Join(' ', words.Skip(1))));
                    continue;
                }
                foreach (var word in words)
                {
                    var equals = word.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0) throw new FormatException($"ENV {arguments}: '{word}' is not key=value");
                    result.Add(new(word[..equals], word[(equals + 1)..]));
                }
            }
            return result;
        }
    }

    /// <summary>Splits on blanks outside double quotes; the quotes are removed (<c>a="x y"</c> is one word, <c>a=x y</c>).</summary>
    internal static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any) words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }
        if (quoted) throw new FormatException($"unbalanced quote in '{text}'");
        if (any) words.Add(word.ToString());
        return words;
    }
}
