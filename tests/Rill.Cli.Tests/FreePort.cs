using System.Net;
using System.Net.Sockets;

namespace Rill.Cli.Tests;

/// <summary>A loopback port that nothing listened on a moment ago: tests never assume 8081 is free.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
