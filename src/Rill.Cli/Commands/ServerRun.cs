using System.Net.Sockets;

namespace Rill.Cli.Commands;

/// <summary>
/// How a long-running server command ends: a shutdown signal is success, and a failure to start (a port in use, a
/// refused configuration) is one "error:" line, because an operator needs the reason, not the runtime's stack.
/// </summary>
internal static class ServerRun
{
    public static async Task UntilCanceledAsync(string role, Func<Task> run, CancellationToken cancellation)
    {
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // stopped while still starting: as clean as a stop after the start
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new CommandFailedException($"{role}: {e.Message}", e);
        }
    }
}
