using System.Net.Sockets;
using System.Text;

namespace Heck.Tests.Fuzzing;

/// <summary>How a raw exchange ended: a response (its status, headers and body), a clean close or reset without one, or no end in time.</summary>
public enum RawEnd { Answered, Closed, TimedOut }

/// <summary>The first response to a raw request; <see cref="Status"/> 0 when there was none.</summary>
public sealed record RawResponse(RawEnd End, int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string ContentType => Headers.TryGetValue("content-type", out var v) ? v : "";
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// HTTP/1.1 over a bare TCP socket to 127.0.0.1, so a request can be anything (a bad chunk size, a
/// Content-Length that lies, a stalled body) and the first response is read as the server framed it.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="request"/> to 127.0.0.1:<paramref name="port"/>, then half-closes (the client will send
    /// nothing more) unless <paramref name="keepSending"/>, and reads the first final response within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<RawResponse> SendAsync(int port, byte[] request, TimeSpan timeout, bool keepSending = false, bool head = false)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            await socket.SendAsync(request, SocketFlags.None, cts.Token);
            if (!keepSending) socket.Shutdown(SocketShutdown.Send);
            var reader = new Reader(socket, cts.Token);
            while (true)
            {
                var response = await ReadResponseAsync(reader, head);
                if (response is null) return new(RawEnd.Closed, 0, Empty, []);
                if (response.Status is >= 100 and < 200) continue; // 100 Continue: the final answer follows
                return response;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return new(RawEnd.TimedOut, 0, Empty, []);
        }
        catch (SocketException)
        {
            // A reset after (or instead of) an answer: the server dropped a request it would not read.
            return new(RawEnd.Closed, 0, Empty, []);
        }
    }

    private static readonly Dictionary<string, string> Empty = [];

    private static async Task<RawResponse?> ReadResponseAsync(Reader reader, bool head)
    {
        var statusLine = await reader.LineAsync();
        if (statusLine is null) return null;
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
            throw new InvalidDataException($"not an HTTP status line: {statusLine}");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await reader.LineAsync() is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        byte[] body = [];
        // A watch stream that was accepted never ends by itself: its headers are the answer.
        var stream = headers.TryGetValue("content-type", out var type) && type.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (head || stream || status is 204 or 304 || status < 200) { }
        else if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var all = new MemoryStream();
            while (true)
            {
                var size = await reader.LineAsync() ?? throw new InvalidDataException("chunked response cut off");
                var n = Convert.ToInt32(size.Split(';')[0].Trim(), 16);
                if (n == 0)
                {
                    while (await reader.LineAsync() is { Length: > 0 }) { } // trailers
                    break;
                }
                all.Write(await reader.BytesAsync(n));
                await reader.LineAsync();
            }
            body = all.ToArray();
        }
        else if (headers.TryGetValue("content-length", out var cl))
            body = await reader.BytesAsync(int.Parse(cl));
        return new RawResponse(RawEnd.Answered, status, headers, body);
    }

    /// <summary>Buffered reads of lines and counted bytes from the socket.</summary>
    private sealed class Reader(Socket socket, CancellationToken ct)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start, _end;

        private async Task<bool> FillAsync()
        {
            if (_start == _end) _start = _end = 0;
            if (_end == _buffer.Length)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
                if (_end == _buffer.Length) throw new InvalidDataException("response line over 16 KiB");
            }
            var n = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct);
            _end += n;
            return n > 0;
        }

        public async Task<string?> LineAsync()
        {
            while (true)
            {
                var at = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (at >= 0)
                {
                    var line = Encoding.Latin1.GetString(_buffer, _start, at - _start).TrimEnd('\r');
                    _start = at + 1;
                    return line;
                }
                if (!await FillAsync()) return _start == _end ? null : throw new InvalidDataException("response cut off mid-line");
            }
        }

        public async Task<byte[]> BytesAsync(int count)
        {
            var result = new byte[count];
            var done = 0;
            while (done < count)
            {
                if (_start == _end && !await FillAsync()) throw new InvalidDataException("response body cut off");
                var n = Math.Min(count - done, _end - _start);
                Array.Copy(_buffer, _start, result, done, n);
                _start += n;
                done += n;
            }
            return result;
        }
    }
}
