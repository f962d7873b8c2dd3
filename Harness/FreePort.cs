using System.Net;
using System.Net.Sockets;

namespace Heck.Harness;

/// <summary>
/// Loopback ports that were free a moment ago, each handed out at most once per process (the OS
/// may offer a just-released port again, and two listeners of one test must not get the same).
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> Issued = [];

    public static int Next()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Issued)
                if (Issued.Add(port)) return port;
        }
        throw new InvalidOperationException("no unused loopback port found in 1000 attempts");
    }
}
