using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rill.Bench.Cluster;

/// <summary>
/// The machine's loopback TCP capacity for the data-plane comparison: the same number of bytes written in 32 KiB
/// chunks (Rill's segment size) over one socket and read on another thread of the harness, no framing, no flow control.
/// </summary>
internal static class LoopbackBaseline
{
    public static async Task<double> MegabytesPerSecondAsync(long bytes)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var sender = new TcpClient { NoDelay = true };
        var accept = listener.AcceptTcpClientAsync();
        await sender.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var receiver = await accept;
        var clock = Stopwatch.StartNew();
        var receive = Task.Run(() =>
        {
            var stream = receiver.GetStream();
            var buffer = new byte[64 * 1024];
            long received = 0;
            int n;
            while (received < bytes && (n = stream.Read(buffer)) > 0)
            {
                received += n;
            }

            return received;
        });
        var chunk = new byte[32 * 1024];
        var output = sender.GetStream();
        for (long sent = 0; sent < bytes; sent += chunk.Length)
        {
            output.Write(chunk, 0, (int)Math.Min(chunk.Length, bytes - sent));
        }

        var total = await receive;
        return total / 1e6 / clock.Elapsed.TotalSeconds;
    }
}
