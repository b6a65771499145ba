using System.Net;
using System.Net.Sockets;

namespace Rill.Cli.Commands;

/// <summary>
/// Checks that a configured port can be bound before a server starts on it. The runtime would fail too, but its web
/// host first logs the failure with a full stack trace; a port already taken (usually by another JobManager) is the
/// most common startup mistake and deserves the one-line answer. A port taken between the check and the start still
/// fails, just less politely.
/// </summary>
internal static class PortCheck
{
    public static void EnsureFree(IPAddress address, int port, string option)
    {
        if (port == 0)
        {
            return; // an ephemeral port is always found
        }

        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            var reason = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "is already in use" : $"cannot be used: {e.Message}";
            throw new CommandFailedException($"{option} {port} on {address} {reason}.", e);
        }
        finally
        {
            listener.Stop();
        }
    }
}
