using System.Net.Http.Headers;
using System.Net.Sockets;
using Heck.Silo.Security;

namespace Heck.Tests.Security;

/// <summary>Tokens of a test silo and HTTP clients that send them, from a chosen loopback source address.</summary>
public static class ApiClients
{
    public const string ReadToken = "read-token-0123456789";
    public const string WriteToken = "write-token-0123456789";
    public const string AdminToken = "admin-token-0123456789";

    /// <summary>The silo arguments configuring the three tokens above by their hashes.</summary>
    public static IEnumerable<string> TokenArgs() =>
        new[] { ("reader", "read", ReadToken), ("writer", "write", WriteToken), ("admin", "admin", AdminToken) }
            .SelectMany((t, i) => new[]
            {
                $"--Heck:Api:Tokens:{i}:Name={t.Item1}", $"--Heck:Api:Tokens:{i}:Scopes:0={t.Item2}", $"--Heck:Api:Tokens:{i}:Sha256={ApiTokens.HashOf(t.Item3)}",
            });

    /// <summary>The token holding exactly <paramref name="scope"/>.</summary>
    public static string TokenOf(ApiScope scope) => scope switch
    {
        ApiScope.Read => ReadToken,
        ApiScope.Write => WriteToken,
        _ => AdminToken,
    };

    /// <summary>A client of <paramref name="baseAddress"/> sending <paramref name="token"/>, connecting from <paramref name="source"/> (a loopback address).</summary>
    public static HttpClient Create(string baseAddress, string? token, string source = "127.0.0.1", HttpMessageHandler? handler = null)
    {
        var http = new HttpClient(handler ?? FromSource(source)) { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A handler whose connections leave from <paramref name="source"/>, so the silo sees that client address.</summary>
    public static SocketsHttpHandler FromSource(string source) => new()
    {
        UseProxy = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
