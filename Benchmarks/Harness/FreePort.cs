using System.Net;
using System.Net.Sockets;

namespace Heck.Benchmarks.Harness;

/// <summary>Loopback ports that were free a moment ago (the OS hands out each only once in a while).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
