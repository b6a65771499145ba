using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rill.Cli.Tests;

/// <summary>
/// A TCP proxy in front of a JobManager that relays every byte both ways, except the answers to the first
/// <c>drops</c> HTTP requests whose request line contains <c>requestLineMarker</c>: once the JobManager has answered
/// one, the client's connection is reset instead (RST, no response). The JobManager did the work and the client never
/// learns it: the lost answer a retrying client must survive.
/// </summary>
/// <remarks>
/// The marker is looked for in each chunk the client sends; HttpClient writes a request's headers in one piece, so the
/// request line never straddles two chunks.
/// </remarks>
internal sealed class AnswerDroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly byte[] _marker;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private readonly int _drops;
    private int _dropped;

    public AnswerDroppingProxy(string targetUrl, string requestLineMarker, int drops = 1)
    {
        _drops = drops;
        var target = new Uri(targetUrl);
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _marker = Encoding.ASCII.GetBytes(requestLineMarker);
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients send their requests, as given to <c>--jobmanager</c>.</summary>
    public string Url { get; }

    /// <summary>How many answers were dropped (at most <c>drops</c>).</summary>
    public int Dropped => Math.Min(Volatile.Read(ref _dropped), _drops);

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var _ = client;
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            var dropNextAnswer = false;
            var toServer = PumpAsync(client, server, chunk =>
            {
                if (chunk.AsSpan().IndexOf(_marker) >= 0 && Interlocked.Increment(ref _dropped) <= _drops)
                {
                    Volatile.Write(ref dropNextAnswer, true);
                }

                return true;
            });
            var toClient = PumpAsync(server, client, _ => !Volatile.Read(ref dropNextAnswer));
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The JobManager is gone or the proxy stops: the client's connection ends below, as it would without a proxy.
        }

        // A reset, not a graceful close: the client must see its request fail, not an empty answer.
        client.LingerState = new LingerOption(true, 0);
        client.Close();
    }

    /// <summary>Relays chunks from <paramref name="from"/> to <paramref name="to"/> while <paramref name="relay"/> says so.</summary>
    private async Task PumpAsync(Socket from, Socket to, Func<byte[], bool> relay)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0 || !relay(buffer[..read]))
            {
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}
