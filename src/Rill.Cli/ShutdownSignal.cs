using System.Runtime.InteropServices;

namespace Rill.Cli;

/// <summary>
/// Turns the first Ctrl+C (SIGINT) or SIGTERM into a cancellation, so a JobManager or TaskManager stops its servers and
/// exits 0 instead of being killed mid-write, and a waiting client can say what it leaves behind. A second signal is
/// not intercepted: the runtime's default handling ends the process at once, the way out of a shutdown that hangs.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    public CancellationToken Token => _cancellation.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Exchange(ref _received, 1) == 1)
        {
            return; // not canceled: the default action terminates the process
        }

        context.Cancel = true;
        // Cancellation callbacks (server shutdowns among them) must not run on the signal-handling thread.
        _ = Task.Run(_cancellation.Cancel);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        // The source is not disposed: a signal's cancellation may still be on its way, and it holds no timer.
    }
}
