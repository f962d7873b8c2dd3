using System.Text;

namespace Heck.Tests.Fuzzing;

/// <summary>
/// Pure generators of mutated origins files: from valid files, characters flipped, the text cut, lines re-indented,
/// duplicated or swapped, YAML syntax dropped in (flow collections, block scalars, tags, directives, document
/// markers), anchors and aliases (an alias bomb among them), deep nesting and Unicode edge cases.
/// </summary>
public static class OriginsFileMutator
{
    public static readonly string[] Valid =
    [
        """
        origins:
          - id: web
            url: http://127.0.0.1:9/health
            intervalMs: 5000
            expectStatus: "200-299"
            headers:
              Host: example.com
          - id: db
            url: tcp://127.0.0.1:5432
        """,
        """
        # comment
        origins:
          - id: a
            url: https://127.0.0.1:9/
            timeoutMs: 100
            method: HEAD
            healthyThreshold: 3
            unhealthyThreshold: 2
            degradedLatencyMs: 50
            reuseConnection: true
            expectStatus: [200, "300-399"]
        """,
        """
        origins: [{id: x, url: "http://127.0.0.1:9/"}, {id: y, url: 'tcp://127.0.0.1:1', intervalMs: 100}]
        """,
        """
        origins:
        - id: b
          url: http://127.0.0.1:9/b
          bodyContains: |
            ok
          headers: {X-A: "1", X-B: '2'}
        """,
        "origins:\n",
        "",
    ];

    /// <summary>Case <paramref name="number"/> of the run with <paramref name="seed"/>: a valid file mutated one to four times.</summary>
    public static string Case(int seed, long number)
    {
        var rng = new Random(HashCode.Combine(seed, number, "origins-file"));
        var text = Valid[rng.Next(Valid.Length)];
        for (var m = rng.Next(1, 5); m > 0; m--) text = Mutate(rng, text);
        return text;
    }

    public static string Mutate(Random rng, string text)
    {
        var lines = text.Split('\n').ToList();
        var line = rng.Next(lines.Count);
        switch (rng.Next(13))
        {
            case 0 when text.Length > 0: // a character changed
                var chars = text.ToCharArray();
                chars[rng.Next(chars.Length)] = (char)(rng.Next(4) == 0 ? rng.Next(0, 0x10000) : rng.Next(0x20, 0x7f));
                return new string(chars);
            case 1: return text[..rng.Next(text.Length + 1)]; // cut
            case 2: // re-indented
                lines[line] = rng.Next(3) switch
                {
                    0 => new string(' ', rng.Next(0, 12)) + lines[line].TrimStart(),
                    1 => "\t" + lines[line],
                    _ => lines[line].Length > 0 ? lines[line][1..] : " ",
                };
                break;
            case 3: lines.Insert(line, lines[rng.Next(lines.Count)]); break; // a duplicated line: repeated keys and entries
            case 4: // swapped lines
                var other = rng.Next(lines.Count);
                (lines[line], lines[other]) = (lines[other], lines[line]);
                break;
            case 5: lines.Insert(line, new string(' ', rng.Next(0, 8)) + Syntax(rng)); break;
            case 6: return Anchored(rng, lines);
            case 7: return rng.Next(3) == 0 ? AliasBomb(rng.Next(3, 12)) : text + "\n" + AliasBomb(rng.Next(3, 10)).Replace("origins:\n", "", StringComparison.Ordinal);
            case 8: return Nested(rng, text, lines, line);
            case 9: // Unicode edge cases in a value or a key
                var at = rng.Next(text.Length + 1);
                return text[..at] + Pick(rng, "\uFEFF", "\0", "\ud800", "\udfff", "\u202e", "\u2028", "\u0085", "\r", "💩", "é", "\\x41", "\"\\ud800\"", "'\\'") + text[at..];
            case 10: lines[line] = lines[line].Replace(":", Pick(rng, "::", " :", ": :", ":\t", ""), StringComparison.Ordinal); break;
            case 11: lines[line] += Pick(rng, " # c", " &a", " *a", " !!int", " !!binary", " !custom", " [", " {", " }", " ]", " |", " >-", " '", " \"", " ?", " - x"); break;
            default: lines.Insert(line, lines[line][..(lines[line].Length - lines[line].TrimStart().Length)] + Pick(rng, "intervalMs: 99999999999999999999", "id: web", "url: http://127.0.0.1:9/x",
                "timeoutMs: -1", "intervalMs: 1e3", "intervalMs: 0x10", "headers: [a, b]", "expectStatus: []", "unknown: 1", "id: \"a\\n\"", "id:", "url: ~",
                "reuseConnection: yes", "method: !!null", "- id: dup\n    url: http://127.0.0.1:9/")); break;
        }
        return string.Join('\n', lines);
    }

    private static string Syntax(Random rng) => Pick(rng,
        "---", "...", "%YAML 1.1", "%TAG ! tag:x,2000:", "? complex", ": value", "- item", "[a, b", "{a: 1", "}", "]", "|", ">", "!!map", "&anchor",
        "*anchor", "*missing", "<<: *a", "key: &a [1, 2]", "- *a", "\"unterminated", "'unterminated", "@reserved", "`reserved", "%", "!", "&", "*", "#",
        "origins:", "origins: 1", "origins: {}", "origins: ~", "- ", "-", ":", "? ", "key: |\n  block", "key: >\n folded");

    /// <summary>A value anchored and then referred to from elsewhere, as YAML allows.</summary>
    private static string Anchored(Random rng, List<string> lines)
    {
        var withValue = lines.Select((l, i) => (l, i)).Where(p => p.l.Contains(": ", StringComparison.Ordinal)).ToList();
        if (withValue.Count == 0) return string.Join('\n', lines) + "\nx: &a 1\ny: *a";
        var (line, index) = withValue[rng.Next(withValue.Count)];
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        lines[index] = line[..(colon + 2)] + "&a " + line[(colon + 2)..];
        var (target, where) = withValue[rng.Next(withValue.Count)];
        var c = target.IndexOf(": ", StringComparison.Ordinal);
        lines[where] = target[..(c + 2)] + Pick(rng, "*a", "*b", "*a *a", "[*a, *a]", "{<<: *a}");
        return string.Join('\n', lines);
    }

    /// <summary>The billion laughs inside an entry: each level an alias list of the one below, 9^depth strings if expanded.</summary>
    public static string AliasBomb(int depth)
    {
        var text = new StringBuilder("origins:\n  - id: bomb\n    url: http://127.0.0.1:9/\n    a0: &a0 [lol]\n");
        for (var d = 1; d <= depth; d++)
            text.Append($"    a{d}: &a{d} [{string.Join(", ", Enumerable.Repeat($"*a{d - 1}", 9))}]\n");
        text.Append($"    expectStatus: *a{depth}\n  - *a{depth}\n");
        return text.ToString();
    }

    private static string Nested(Random rng, string text, List<string> lines, int line)
    {
        var depth = rng.Next(2) == 0 ? rng.Next(2, 20) : rng.Next(100, 1000);
        switch (rng.Next(3))
        {
            case 0: // flow nesting
                var value = new string('[', depth) + "1" + new string(']', depth);
                return text + "\nx: " + value;
            case 1: // a value nested in flow mappings
                var mapping = string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth);
                lines.Insert(line, "    intervalMs: " + mapping);
                return string.Join('\n', lines);
            default: // block nesting, each level indented one more
                var block = new StringBuilder("\ndeep:\n");
                for (var d = 1; d <= Math.Min(depth, 300); d++) block.Append(new string(' ', d)).Append("k:\n");
                return text + block;
        }
    }

    private static T Pick<T>(Random rng, params T[] items) => items[rng.Next(items.Length)];
}
