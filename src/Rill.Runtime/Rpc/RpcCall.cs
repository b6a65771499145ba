using Grpc.Core;
using Rill.Runtime.HighAvailability;

namespace Rill.Runtime.Rpc;

/// <summary>
/// Runs a control-plane call and turns gRPC statuses into the exceptions the components act on: a lost or refused
/// connection is an <see cref="IOException"/> (the peer is treated as gone at once), a refused fencing token a
/// <see cref="FencingTokenException"/>, a deadline a <see cref="TimeoutException"/>.
/// </summary>
internal static class RpcCall
{
    public static async Task<T> InvokeAsync<T>(string target, Func<ValueTask<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw Translate(target, e);
        }
    }

    public static async Task InvokeAsync(string target, Func<ValueTask<Contracts.Ack>> call) =>
        _ = await InvokeAsync<Contracts.Ack>(target, call).ConfigureAwait(false);

    public static Exception Translate(string target, RpcException e) => e.StatusCode switch
    {
        StatusCode.Unavailable or StatusCode.Aborted => new IOException($"Connection lost to {target}: {e.Status.Detail}", e),
        StatusCode.Cancelled when e.Status.DebugException is IOException or HttpRequestException =>
            new IOException($"Connection lost to {target}: {e.Status.Detail}", e),
        StatusCode.PermissionDenied => new FencingTokenException(e.Status.Detail),
        StatusCode.DeadlineExceeded => new TimeoutException($"{target} did not answer in time.", e),
        _ => new InvalidOperationException($"{target}: {e.Status.Detail}", e),
    };
}
