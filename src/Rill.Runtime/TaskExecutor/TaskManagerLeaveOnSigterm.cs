using System.Runtime.InteropServices;

namespace Rill.Runtime.TaskExecutor;

/// <summary>
/// SIGTERM to a TaskManager process of an application (what a Kubernetes scale-down or a rolling update sends): the
/// TaskManager asks to leave, the jobs give its slots back (a reactive job first rescales without it through a
/// savepoint), and the process exits 0 — within the 30 s a pod gets by default. A second SIGTERM ends it at once.
/// </summary>
public sealed class TaskManagerLeaveOnSigterm : IDisposable
{
    /// <summary>How long the jobs get to release the slots; below Kubernetes' default grace period of 30 s.</summary>
    public static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(25);

    private readonly TaskManagerRunner _taskManager;
    private readonly PosixSignalRegistration _registration;
    private int _received;

    public TaskManagerLeaveOnSigterm(TaskManagerRunner taskManager)
    {
        _taskManager = taskManager;
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Exchange(ref _received, 1) == 1)
        {
            return; // the second one: the default action ends the process
        }

        context.Cancel = true;
        _ = Task.Run(async () =>
        {
            var id = _taskManager.TaskExecutor.TaskManagerId;
            Console.Error.WriteLine($"Rill TaskManager {id}: SIGTERM, leaving the cluster.");
            var exitCode = 0;
            try
            {
                var released = await _taskManager.TaskExecutor.LeaveAsync(LeaveTimeout).ConfigureAwait(false);
                Console.Error.WriteLine(released
                    ? $"Rill TaskManager {id}: every slot was released; exiting."
                    : $"Rill TaskManager {id}: the slots were not released within {LeaveTimeout.TotalSeconds:0} s; exiting anyway.");
                await _taskManager.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"Rill TaskManager {id}: leaving failed: {e.Message}");
                exitCode = 1;
            }

            Environment.Exit(exitCode);
        });
    }

    public void Dispose() => _registration.Dispose();
}
