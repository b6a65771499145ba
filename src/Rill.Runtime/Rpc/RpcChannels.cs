using System.Collections.Concurrent;
using Grpc.Net.Client;

namespace Rill.Runtime.Rpc;

/// <summary>One HTTP/2 channel per peer address, shared by every gateway that talks to that peer.</summary>
public sealed class RpcChannels : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    /// <summary>Calls to an unreachable peer fail after this instead of hanging; a dead TaskManager is then known quickly.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public GrpcChannel Get(string address) => _channels.GetOrAdd(address, static a => GrpcChannel.ForAddress(a, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectTimeout = ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        },
        MaxReceiveMessageSize = 64 * 1024 * 1024,
    }));

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }
}
