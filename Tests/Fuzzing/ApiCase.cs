using System.Text;

namespace Heck.Tests.Fuzzing;

/// <summary>How a raw case frames its body.</summary>
public enum Framing
{
    /// <summary>An honest Content-Length (or none without a body).</summary>
    Length,
    /// <summary>A Content-Length smaller than the body: the rest is read as the next request.</summary>
    LengthTooShort,
    /// <summary>A Content-Length larger than the body, then the client half-closes.</summary>
    LengthTooLong,
    /// <summary>Chunked, well formed.</summary>
    Chunked,
    /// <summary>Chunked with a size that is not hex, negative, huge, or has a bad extension.</summary>
    ChunkedBadSize,
    /// <summary>Chunked, cut off before the last chunk.</summary>
    ChunkedTruncated,
    /// <summary>Chunked with trailer fields after the last chunk.</summary>
    ChunkedTrailers,
    /// <summary>Both Content-Length and chunked, which a proxy and a server may read differently.</summary>
    LengthAndChunked,
}

/// <summary>What the case is about, for the counts in the output.</summary>
public enum CaseKind { Body, Patch, Path, Headers, Query, Delete, Framing, Method }

/// <summary>
/// One fuzzed request: sent raw (<see cref="ToBytes"/>) when <see cref="Raw"/>, else through HttpClient.
/// <see cref="Target"/> is the path and query as written on the request line; the host is always 127.0.0.1.
/// </summary>
public sealed record ApiCase(
    long Number,
    CaseKind Kind,
    string Method,
    string Target,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    Framing Framing,
    bool Raw)
{
    /// <summary>Whether the case may change state (a PUT, PATCH or DELETE that the server could accept).</summary>
    public bool IsWrite => Method is "PUT" or "PATCH" or "DELETE";

    /// <summary>
    /// Whether the client half-closes after sending: only for a body cut short, which the server would otherwise wait
    /// for. Kestrel takes the client's FIN as the end of the connection and drops the answer, so a complete request
    /// keeps its side open: an accepted write whose answer was lost would leave the model behind.
    /// </summary>
    public bool HalfClose => Framing is Framing.LengthTooLong or Framing.ChunkedTruncated;

    /// <summary>The request as bytes on the wire, for a raw send.</summary>
    public byte[] ToBytes(Random rng)
    {
        // The request line as a client writes it, non-ASCII as UTF-8 (Latin-1 would turn it into '?', a query).
        var head = new StringBuilder();
        head.Append(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes($"{Method} {Target}"))).Append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        foreach (var (name, value) in Headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        var body = Body ?? [];
        var wire = new MemoryStream();
        void Text(string s) => wire.Write(Encoding.Latin1.GetBytes(s));
        switch (Framing)
        {
            case Framing.Length:
                if (Body is not null) head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
                Text(head.Append("\r\n").ToString());
                wire.Write(body);
                break;
            case Framing.LengthTooShort:
                Text(head.Append($"Content-Length: {rng.Next(0, Math.Max(1, body.Length))}\r\n\r\n").ToString());
                wire.Write(body);
                break;
            case Framing.LengthTooLong:
                Text(head.Append($"Content-Length: {body.Length + 1 + rng.Next(0, 100_000)}\r\n\r\n").ToString());
                wire.Write(body);
                break;
            case Framing.LengthAndChunked:
                Text(head.Append($"Content-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n").ToString());
                Chunks(wire, body, rng);
                Text("0\r\n\r\n");
                break;
            default:
                Text(head.Append("Transfer-Encoding: chunked\r\n\r\n").ToString());
                if (Framing == Framing.ChunkedBadSize)
                {
                    var cut = rng.Next(0, body.Length + 1);
                    Chunks(wire, body.AsSpan(0, cut).ToArray(), rng);
                    Text(BadChunkSizes[rng.Next(BadChunkSizes.Length)] + "\r\n");
                    wire.Write(body.AsSpan(cut));
                    Text("\r\n0\r\n\r\n");
                }
                else if (Framing == Framing.ChunkedTruncated)
                {
                    Chunks(wire, body, rng);
                    var bytes = wire.ToArray();
                    var headLength = Encoding.Latin1.GetByteCount(head.ToString());
                    wire.SetLength(rng.Next(headLength, bytes.Length + 1));
                }
                else
                {
                    Chunks(wire, body, rng);
                    Text(Framing == Framing.ChunkedTrailers ? $"0\r\n{Trailers[rng.Next(Trailers.Length)]}\r\n" : "0\r\n\r\n");
                }
                break;
        }
        return wire.ToArray();
    }

    private static readonly string[] BadChunkSizes =
        ["zz", "-1", "", " ", "0x10", "fffffffffffffffff", "7fffffffffffffff", "1;" + new string('x', 5000), "1 1", "g", "\t5", "5\n", "1;a=\"b"];

    private static readonly string[] Trailers =
        ["X-Trailer: 1\r\n", "Content-Length: 5\r\n", "Bad Trailer\r\n", ": empty\r\n", "X-A: b\r\nX-A: c\r\n", "X-Long: " + new string('t', 9000) + "\r\n"];

    private static void Chunks(Stream wire, byte[] body, Random rng)
    {
        var at = 0;
        while (at < body.Length)
        {
            var n = Math.Min(body.Length - at, 1 + rng.Next(0, 64));
            var size = rng.Next(8) == 0 ? $"{n:X};ext=1" : n.ToString("x");
            wire.Write(Encoding.Latin1.GetBytes(size + "\r\n"));
            wire.Write(body, at, n);
            wire.Write("\r\n"u8);
            at += n;
        }
    }

    /// <summary>A short description for a failure message: enough to see the case without replaying it.</summary>
    public string Describe()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body);
        if (body.Length > 300) body = body[..300] + $"… ({Body!.Length} bytes)";
        var target = Target.Length > 200 ? Target[..200] + $"… ({Target.Length} chars)" : Target;
        var headers = string.Join("; ", Headers.Select(h => $"{h.Key}: {(h.Value.Length > 80 ? h.Value[..80] + "…" : h.Value)}"));
        return $"#{Number} {Kind} {(Raw ? "raw" : "client")} {Framing} {Method} {target} [{headers}] {body}";
    }
}
