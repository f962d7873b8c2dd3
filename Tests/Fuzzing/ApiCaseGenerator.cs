using System.Text;
using Heck.Api;
using Heck.Origins;

namespace Heck.Tests.Fuzzing;

/// <summary>
/// Pure generators of fuzzed API requests, from valid origin bodies mutated (fields dropped or repeated, wrong
/// types, huge numbers, deep nesting, Unicode edge cases, bytes flipped), odd paths and ids, headers, query strings
/// and body framing. A case is a function of the seed and its number only (<see cref="Case"/>), so one failure
/// can be replayed alone. Every URL a body can register names a loopback address: the host is fixed, only the
/// scheme, port, path and query are fuzzed, and a body whose url (as the product's own reader reads it) would name
/// another host is never produced (<see cref="NamesOnlyLoopback"/>).
/// </summary>
public static class ApiCaseGenerator
{
    /// <summary>The ids worker <paramref name="worker"/> writes: private to it, so its model of them is exact.</summary>
    public static string[] IdsOf(int worker) => [$"w{worker}-0", $"w{worker}-1", $"w{worker}-2"];

    /// <summary>
    /// Case <paramref name="number"/> of the run with <paramref name="seed"/>, for <paramref name="worker"/>, given the
    /// ETags it knows of its ids and a causal token it was answered (both only make valid forms likelier).
    /// </summary>
    public static ApiCase Case(int seed, int worker, long number, IReadOnlyDictionary<string, string> etags, string? token)
    {
        var rng = new Random(HashCode.Combine(seed, worker, number));
        var ids = IdsOf(worker);
        var id = ids[rng.Next(ids.Length)];
        var roll = rng.Next(100);
        return roll switch
        {
            < 28 => BodyCase(rng, number, id, etags, token),
            < 40 => PatchCase(rng, number, id, etags, token),
            < 52 => PathCase(rng, number, worker),
            < 64 => HeaderCase(rng, number, id, etags, token),
            < 78 => QueryCase(rng, number, id),
            < 83 => DeleteCase(rng, number, id, etags),
            < 97 => FramingCase(rng, number, id),
            _ => MethodCase(rng, number, id),
        };
    }

    private static List<KeyValuePair<string, string>> H(params (string, string)[] headers) =>
        headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)).ToList();

    private static ApiCase BodyCase(Random rng, long n, string id, IReadOnlyDictionary<string, string> etags, string? token)
    {
        var headers = H(("Content-Type", "application/json"));
        if (rng.Next(6) == 0 && etags.TryGetValue(id, out var etag)) headers.Add(new("If-Match", etag));
        if (rng.Next(10) == 0) headers.Add(new("If-None-Match", "*"));
        if (rng.Next(8) == 0 && token is not null) headers.Add(new("Heck-Causal-Token", token));
        return new(n, CaseKind.Body, "PUT", $"/api/origins/{id}", headers, MutatedBody(rng, patch: false), Framing.Length, Raw: rng.Next(4) == 0);
    }

    private static ApiCase PatchCase(Random rng, long n, string id, IReadOnlyDictionary<string, string> etags, string? token)
    {
        var headers = H(("Content-Type", rng.Next(10) == 0 ? "application/json" : "application/merge-patch+json"));
        if (rng.Next(4) == 0) headers.Add(new("If-Match", etags.TryGetValue(id, out var etag) && rng.Next(2) == 0 ? etag : IfMatchForm(rng, etags)));
        if (rng.Next(10) == 0 && token is not null) headers.Add(new("Heck-Causal-Token", token));
        return new(n, CaseKind.Patch, "PATCH", $"/api/origins/{id}", headers, MutatedBody(rng, patch: true), Framing.Length, Raw: rng.Next(4) == 0);
    }

    private static ApiCase PathCase(Random rng, long n, int worker)
    {
        var method = Pick(rng, "PUT", "PUT", "GET", "DELETE", "PATCH", "GET");
        var suffix = rng.Next(5) == 0 ? Pick(rng, "/transitions", "/", "/transitions/x", "//", "/%2e%2e", "?x") : "";
        var target = $"/api/origins/{FuzzedId(rng, worker)}{suffix}";
        // Dot segments are removed before routing, so an id after them carries the worker's prefix too.
        var w = $"w{worker}-";
        if (rng.Next(20) == 0) target = Pick(rng, "/api/origins/..", "/api/origins/.", $"/api/origins/%2e%2e/{w}x", $"/api/./origins/{w}dot", $"/api/x/../origins/{w}dot",
            "/api/origins/../origins", "//api/origins", "/API/ORIGINS", $"/api/origins%2F{w}x", "*", $"http://127.0.0.1/api/origins/{w}abs", $"/api/origins/{w}\u00e9",
            "/%00", "/api/origins/%", "/api/origins/%zz", $"/api/origins/{w}a/../{w}b", $"/api/origins/%2e/{w}c");
        var body = method is "PUT" or "PATCH" ? ValidBody(rng, patch: method == "PATCH") : null;
        var type = method == "PATCH" ? "application/merge-patch+json" : "application/json";
        return new(n, CaseKind.Path, method, target, body is null ? [] : H(("Content-Type", type)), body, Framing.Length, Raw: true);
    }

    /// <summary>
    /// An id with the worker's prefix and then anything: every byte class raw or percent-encoded, dots, slashes,
    /// a trailing newline, far too long. A valid one starts with the prefix, so it can only be this worker's.
    /// </summary>
    public static string FuzzedId(Random rng, int worker)
    {
        var id = new StringBuilder($"w{worker}-");
        var length = rng.Next(10) == 0 ? rng.Next(100, 9000) : rng.Next(0, 8);
        for (var i = 0; i < length; i++)
        {
            switch (rng.Next(9))
            {
                case 0: id.Append("abcXYZ019._-"[rng.Next(12)]); break;
                case 1: id.Append($"%{rng.Next(256):X2}"); break;
                case 2: id.Append($"%{rng.Next(256):x2}"); break;
                case 3: id.Append(Pick(rng, "%0A", "%0D%0A", "%00", "%20", "%2F", "%5C", "%2E", "%25", "%C3%A9", "%F0%9F%92%A9", "%ED%A0%80", "%C0%AF", "%FF")); break;
                case 4: id.Append(Pick(rng, "..", ".", "/", "//", "\\", "%", "%%", "+", ";", ":", "@", "=", "&", "~", "!", "$", "'", "(", "*", ",")); break;
                case 5: id.Append((char)rng.Next(0x21, 0x7f)); break;
                case 6: id.Append(Pick(rng, "é", "ü", "💩", "\u200b", "\u202e")); break;
                default: id.Append((char)('a' + rng.Next(26))); break;
            }
        }
        if (rng.Next(8) == 0) id.Append("%0A");
        return id.ToString();
    }

    private static ApiCase HeaderCase(Random rng, long n, string id, IReadOnlyDictionary<string, string> etags, string? token)
    {
        var method = Pick(rng, "PUT", "PUT", "PATCH", "GET", "DELETE");
        var body = method is "PUT" or "PATCH" ? ValidBody(rng, patch: method == "PATCH") : null;
        var headers = new List<KeyValuePair<string, string>>();
        if (body is not null) headers.Add(new("Content-Type", ContentType(rng, method)));
        for (var i = rng.Next(1, 4); i > 0; i--)
        {
            switch (rng.Next(7))
            {
                case 0: headers.Add(new("If-Match", IfMatchForm(rng, etags))); break;
                case 1: headers.Add(new("If-None-Match", IfMatchForm(rng, etags))); break;
                case 2: headers.Add(new("Heck-Causal-Token", TokenForm(rng, token))); break;
                case 3: headers.Add(new("Expect", Pick(rng, "100-continue", "200-ok", ""))); break;
                case 4: headers.Add(new("Content-Encoding", Pick(rng, "gzip", "br", "identity", "x"))); break;
                case 5: headers.Add(new("Accept", Pick(rng, "application/xml", "*/*", "text/event-stream", ""))); break;
                default: headers.Add(new(Pick(rng, "X-Forwarded-For", "Forwarded", "Origin", "Cookie", "Authorization", "Range"), Pick(rng, "1.2.3.4", "a=b", "bytes=0-1", "\t", "x".PadRight(rng.Next(1, 9000), 'x')))); break;
            }
        }
        // Header names and values a client library refuses to send (line breaks, control bytes) go raw.
        var raw = rng.Next(3) == 0;
        if (raw && rng.Next(3) == 0) headers.Add(new(Pick(rng, "X-A\u0001", "Bad Header", "X-\u00e9", "If-Match\t"), Pick(rng, "\u0000", "a\u007fb", "\u00ff")));
        return new(n, CaseKind.Headers, method, $"/api/origins/{id}", headers, body, Framing.Length, raw);
    }

    private static string ContentType(Random rng, string method) => Pick(rng,
        method == "PATCH" ? "application/merge-patch+json" : "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16",
        "APPLICATION/JSON", "application/problem+json", "application/json-patch+json", "text/json", "text/plain", "application/xml", "image/png",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/", "/json", "application/json;;", "*/*",
        "application/merge-patch+json; charset=utf-8", "application/json, text/plain");

    private static string IfMatchForm(Random rng, IReadOnlyDictionary<string, string> etags) =>
        rng.Next(12) switch
        {
            0 => "*",
            1 => etags.Count > 0 ? etags.Values.ElementAt(rng.Next(etags.Count)) : "\"x\"",
            2 => etags.Count > 0 ? "W/" + etags.Values.ElementAt(rng.Next(etags.Count)) : "W/\"x\"",
            3 => etags.Count > 0 ? etags.Values.ElementAt(rng.Next(etags.Count)).Trim('"') : "x",
            4 => "\"a\", \"b\"",
            5 => "",
            6 => "\"",
            7 => "\"" + new string('e', rng.Next(1, 9000)) + "\"",
            8 => "*, \"a\"",
            9 => ",,,",
            10 => "W/",
            _ => "\"" + rng.Next() + "\"",
        };

    private static string TokenForm(Random rng, string? token) =>
        rng.Next(9) switch
        {
            0 when token is not null => token,
            1 when token is { Length: > 2 } => token[..^1],
            2 when token is { Length: > 2 } => token + Pick(rng, "A", "==", "-", "."),
            3 when token is { Length: > 2 } => FlipChar(rng, token),
            4 => "",
            5 => new string('A', rng.Next(1, 3000)),
            6 => Pick(rng, "AAAA", "AA", "A", "====", "-_-_", "null", "0"),
            7 => Convert.ToBase64String(Bytes(rng, rng.Next(1, 64))).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            _ => "%%%",
        };

    private static string FlipChar(Random rng, string s)
    {
        var chars = s.ToCharArray();
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        chars[rng.Next(chars.Length)] = alphabet[rng.Next(alphabet.Length)];
        return new string(chars);
    }

    private static ApiCase QueryCase(Random rng, long n, string id)
    {
        var path = Pick(rng, "/api/origins", "/api/origins/", $"/api/origins/{id}", $"/api/origins/{id}/transitions", "/api/watch",
            "/api/cluster/members", "/api/cluster/traffic", "/api/cluster/replica", "/api/origins-file", "/healthz", "/nowhere");
        var parts = new List<string>();
        for (var i = rng.Next(1, 4); i > 0; i--)
        {
            parts.Add(rng.Next(6) switch
            {
                0 or 1 => "status=" + StatusForm(rng),
                2 => "consistency=" + Pick(rng, "local", "causal", "owner", "LOCAL", "", "strong", "local,causal", "%00", "owner%0A"),
                3 => "limit=" + Pick(rng, "1", "1000", "0", "1001", "-1", "1e3", "0x10", "99999999999999999999", "", "1.5", " 1", "%31", "١"),
                4 => "origin=" + Pick(rng, id, "", "%0A", "x".PadRight(rng.Next(1, 5000), 'x')),
                _ => Pick(rng, "x=1", "status", "=", "&&", "status=healthy&status=degraded", "%", "a[b]=c", "status=%FF", "consistency"),
            });
        }
        var target = path + "?" + string.Join("&", parts);
        var headers = rng.Next(6) == 0 ? H(("Heck-Causal-Token", TokenForm(rng, null))) : [];
        if (path == "/api/watch" && rng.Next(2) == 0) headers.Add(new("Last-Event-ID", Pick(rng, "", "x", "1-1", "-1--1", "99999999999999999999-1", "a-b-c")));
        // /api/watch streams once accepted: raw, so the case ends with the response headers.
        return new(n, CaseKind.Query, rng.Next(10) == 0 ? "HEAD" : "GET", target, headers, null, Framing.Length, Raw: path == "/api/watch" || rng.Next(4) == 0);
    }

    private static string StatusForm(Random rng)
    {
        string[] names = ["healthy", "degraded", "unhealthy", "unknown"];
        return rng.Next(6) switch
        {
            0 => names[rng.Next(4)],
            1 => string.Join(",", Enumerable.Range(0, rng.Next(1, 5)).Select(_ => names[rng.Next(4)])),
            2 => Pick(rng, "healthy,", ",", "", "HEALTHY", " healthy ", "healthy%2Cdegraded", "1", "3", "-1", "Healthy|Degraded", "sick", "healthy,,degraded"),
            3 => string.Join(",", Enumerable.Range(0, rng.Next(100, 2000)).Select(_ => names[rng.Next(4)])),
            4 => "%" + rng.Next(256).ToString("X2"),
            _ => names[rng.Next(4)] + "%0A",
        };
    }

    private static ApiCase DeleteCase(Random rng, long n, string id, IReadOnlyDictionary<string, string> etags)
    {
        var headers = rng.Next(3) == 0 ? H(("If-Match", rng.Next(2) == 0 && etags.TryGetValue(id, out var e) ? e : IfMatchForm(rng, etags))) : [];
        return new(n, CaseKind.Delete, "DELETE", $"/api/origins/{id}", headers, rng.Next(8) == 0 ? Bytes(rng, rng.Next(0, 100)) : null, Framing.Length, Raw: rng.Next(3) == 0);
    }

    private static ApiCase FramingCase(Random rng, long n, string id)
    {
        var patch = rng.Next(3) == 0;
        var framing = (Framing)rng.Next(1, Enum.GetValues<Framing>().Length);
        var headers = H(("Content-Type", patch ? "application/merge-patch+json" : "application/json"));
        var body = rng.Next(3) == 0 ? MutatedBody(rng, patch) : ValidBody(rng, patch);
        return new(n, CaseKind.Framing, patch ? "PATCH" : "PUT", $"/api/origins/{id}", headers, body, framing, Raw: true);
    }

    private static ApiCase MethodCase(Random rng, long n, string id)
    {
        var method = Pick(rng, "POST", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "GETT", "get", "PUT ", "", "P\u00e9T", "DELETE", new string('M', rng.Next(1, 300)));
        var body = rng.Next(2) == 0 ? ValidBody(rng, patch: false) : null;
        var target = Pick(rng, $"/api/origins/{id}", "/api/origins", "/api/cluster/members", "/healthz", "/");
        return new(n, CaseKind.Method, method, target, body is null ? [] : H(("Content-Type", "application/json")), body, Framing.Length, Raw: true);
    }

    // ---- bodies ----

    /// <summary>A loopback URL: scheme, port, path and query fuzzed, the host never.</summary>
    public static string LoopbackUrl(Random rng)
    {
        var host = rng.Next(6) == 0 ? Pick(rng, "127.0.0.2", "127.0.0.3", "[::1]", "127.1.2.3") : "127.0.0.1";
        // Ports where nothing listens, or (rarely) one that is not a port at all: digits only, so the authority ends here.
        var port = rng.Next(10) == 0 ? Pick(rng, "0", "65536", "99999", "", "00009", "1") : "9";
        var scheme = Pick(rng, "http", "http", "http", "https", "tcp", "ftp", "HTTP", "file");
        if (scheme == "tcp") return $"tcp://{host}:{port}";
        var path = rng.Next(3) switch
        {
            0 => "/",
            1 => "/" + string.Concat(Enumerable.Range(0, rng.Next(1, 6)).Select(_ => Pick(rng, "a", "..", "%2e", "%20", "é", "?", "#", "/", "%00", "@x", "\\"))),
            _ => "/h?" + Pick(rng, "a=1", "b=%FF", "c=" + new string('q', rng.Next(1, 3000))),
        };
        return $"{scheme}://{host}:{port}{path}";
    }

    /// <summary>A valid (or nearly valid) origin body, or a patch of some of its fields.</summary>
    public static byte[] ValidBody(Random rng, bool patch) => Encoding.UTF8.GetBytes(Render(ValidFields(rng, patch)));

    private static List<KeyValuePair<string, string>> ValidFields(Random rng, bool patch)
    {
        // Long intervals: the origins this registers should be probed rarely, not load the silo under test.
        var interval = rng.Next(10) == 0 ? rng.Next(100, 60_000) : rng.Next(60_000, 86_400_001);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("url", Quote(rng.Next(4) == 0 ? LoopbackUrl(rng) : "http://127.0.0.1:9/health")),
            new("intervalMs", interval.ToString()),
            new("timeoutMs", Math.Max(1, interval / rng.Next(2, 10)).ToString()),
            new("method", Quote(Pick(rng, "GET", "HEAD", "get"))),
            new("expectStatus", Pick(rng, "\"200-299\"", "\"200-299,404\"", "204", "[\"200-204\",301]", "\"200\"")),
            new("headers", Pick(rng, "{}", "{\"X-A\":\"b\"}", "{\"Host\":\"example.com\",\"X-B\":\"\"}")),
            new("healthyThreshold", rng.Next(1, 101).ToString()),
            new("unhealthyThreshold", rng.Next(1, 101).ToString()),
            new("degradedLatencyMs", rng.Next(1, 10_000).ToString()),
            new("reuseConnection", rng.Next(2) == 0 ? "true" : "false"),
            new("bodyContains", Quote("ok")),
        };
        // A random subset of the optional fields; a put keeps its url, a patch need not.
        return fields.Where((f, i) => (i == 0 && !patch) || rng.Next(3) == 0).ToList();
    }

    /// <summary>
    /// A mutated body: from a valid one, a few structural mutations (drop, repeat, wrong type, huge number,
    /// deep nesting, Unicode edge cases in names and values), sometimes bytes flipped or cut after rendering.
    /// </summary>
    public static byte[] MutatedBody(Random rng, bool patch)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var fields = ValidFields(rng, patch);
            for (var m = rng.Next(1, 4); m > 0; m--) Mutate(rng, fields);
            var bytes = Encoding.UTF8.GetBytes(Render(fields));
            if (rng.Next(5) == 0) bytes = MutateBytes(rng, bytes);
            if (NamesOnlyLoopback(bytes, patch)) return bytes;
        }
        return ValidBody(rng, patch);
    }

    private static void Mutate(Random rng, List<KeyValuePair<string, string>> fields)
    {
        var at = fields.Count == 0 ? -1 : rng.Next(fields.Count);
        switch (rng.Next(9))
        {
            case 0 when at >= 0: fields.RemoveAt(at); break;
            case 1 when at >= 0: fields.Insert(rng.Next(fields.Count + 1), fields[at]); break; // a repeated key, same value
            case 2 when at >= 0 && fields[at].Key != "url": fields[at] = new(fields[at].Key, WrongValue(rng)); break;
            case 3 when at >= 0 && fields[at].Key != "url": fields[at] = new(fields[at].Key, HugeNumber(rng)); break;
            case 4 when at >= 0 && fields[at].Key != "url": fields[at] = new(fields[at].Key, Nested(rng)); break;
            case 5 when at >= 0 && fields[at].Key != "url": fields[at] = new(fields[at].Key, Quote(UnicodeEdge(rng), raw: true)); break;
            case 6: fields.Add(new(rng.Next(2) == 0 ? UnicodeEdge(rng) : Pick(rng, "interval", "URL", "Url", "id", "health", "", "__proto__", "status"), WrongValue(rng))); break;
            case 7: fields.Add(new("headers", HeadersValue(rng))); break;
            default: fields.Add(new("id", Quote(Pick(rng, "w0-0", "other", "", "a\n", new string('i', 200))))); break;
        }
    }

    private static string HeadersValue(Random rng) => "{" + string.Join(",", Enumerable.Range(0, rng.Next(0, 40)).Select(i =>
        $"{Quote(rng.Next(4) == 0 ? UnicodeEdge(rng) : Pick(rng, "X-A", "x-a", "X-A\\n", "Content-Type", "Transfer-Encoding", "Bad Name", "", "Authorization", "X-" + i), raw: true)}:" +
        Pick(rng, "\"v\"", "\"a\\r\\nb\"", "1", "null", "[]", Quote(new string('v', rng.Next(8000, 9000))), Quote(UnicodeEdge(rng), raw: true)))) + "}";

    private static string WrongValue(Random rng) => Pick(rng,
        "\"500\"", "\"fast\"", "true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "0", "-1", "1.5", "\"\"", "\"http://127.0.0.1:9/\"", "[null]", "[[200]]", "\" \"");

    private static string HugeNumber(Random rng) => Pick(rng,
        "2147483648", "-2147483649", "9223372036854775808", "99999999999999999999999999999", "1e400", "-1e400", "1e-400", "1E2", "0.0", "-0",
        "4.9e-324", "1.7976931348623157e309", new string('9', rng.Next(100, 5000)), "0" + new string('0', 300) + "1", "100.000000000000000001");

    private static string Nested(Random rng)
    {
        var depth = rng.Next(10) == 0 ? rng.Next(100, 5000) : rng.Next(2, 12);
        var array = rng.Next(2) == 0;
        var open = array ? "[" : "{\"a\":";
        var close = array ? "]" : "}";
        return string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
    }

    /// <summary>Text a JSON string may hold that is easy to get wrong: lone surrogates, NUL, BOM, direction marks, escapes.</summary>
    public static string UnicodeEdge(Random rng) => Pick(rng,
        "\\ud800", "\\udfff", "x\\ud800y", "\\udc00\\ud800", "\\ud83d\\udca9", "\\u0000", "\\ufeff", "\\u202e", "\\uffff", "\\ufffe",
        "💩", "é", "e\u0301", "\u00a0", "\\n", "\\r\\n", "\\t", "\\\\", "\\\"", "\\/", "\\u", "\\x41", "\\ud800\\u0041", new string('\u00e9', 3000));

    private static string Quote(string s, bool raw = false) =>
        raw ? "\"" + s.Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\\\\\"", "\\\"", StringComparison.Ordinal) + "\"" : System.Text.Json.JsonSerializer.Serialize(s);

    private static string Render(List<KeyValuePair<string, string>> fields) =>
        "{" + string.Join(",", fields.Select(f => $"{(f.Key.StartsWith('"') ? f.Key : Quote(f.Key, raw: true))}:{f.Value}")) + "}";

    private static byte[] MutateBytes(Random rng, byte[] bytes)
    {
        var list = bytes.ToList();
        switch (rng.Next(5))
        {
            case 0: return bytes[..rng.Next(bytes.Length + 1)]; // cut
            case 1:
                for (var i = rng.Next(1, 4); i > 0 && list.Count > 0; i--) list[rng.Next(list.Count)] ^= (byte)(1 << rng.Next(8));
                break;
            case 2: list.InsertRange(rng.Next(list.Count + 1), Pick(rng, [0xC0, 0xAF], [0xFF], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0x00], [0xF4, 0x90, 0x80, 0x80], (byte[])[0x80])); break;
            case 3: list.InsertRange(0, "\uFEFF"u8.ToArray()); break;
            default: list.InsertRange(rng.Next(list.Count + 1), Encoding.UTF8.GetBytes(Pick(rng, ",", "}", "{", "]", "\"", ":", "//c", "/*", " ", "\n", "NaN", "Infinity"))); break;
        }
        return list.ToArray();
    }

    /// <summary>
    /// Whether every url the silo could read from <paramref name="body"/> names a loopback address: read with the
    /// product's own readers, so what this lets through is exactly what the silo would register.
    /// </summary>
    public static bool NamesOnlyLoopback(byte[] body, bool patch)
    {
        var errors = new List<FieldError>();
        string? url;
        try
        {
            if (patch)
                url = MergePatch.Parse(body, errors) is { } node && node["url"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            else
                url = OriginJsonReader.Read(body, errors)?.Url;
        }
        catch (InvalidOperationException)
        {
            return true; // the reader fails, so the silo registers nothing (and answers 500: the fuzzer's finding)
        }
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) return true;
        return IsLoopbackHost(uri.Host);
    }

    public static bool IsLoopbackHost(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);

    private static byte[] Bytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private static T Pick<T>(Random rng, params T[] items) => items[rng.Next(items.Length)];
}
