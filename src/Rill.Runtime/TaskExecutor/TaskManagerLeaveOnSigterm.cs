using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Rill.Logging;

namespace Rill.Runtime.TaskExecutor;

/// <summary>
/// SIGTERM to a TaskManager process of an application (what a Kubernetes scale-down or a rolling update sends): the
/// TaskManager asks to leave, the jobs give its slots back (a reactive job first rescales without it through a
/// savepoint), and the process exits 0 — within the 30 s a pod gets by default. A second SIGTERM ends it at once.
/// </summary>
public sealed class TaskManagerLeaveOnSigterm : IDisposable
{
    private static readonly ILogger Logger = RillLogging.CreateLogger<TaskManagerLeaveOnSigterm>();
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
            Logger.LogInformation("Rill TaskManager {TaskManagerId}: SIGTERM, leaving the cluster.", id);
            var exitCode = 0;
            try
            {
                var released = await _taskManager.TaskExecutor.LeaveAsync(LeaveTimeout).ConfigureAwait(false);
                if (released)
                {
                    Logger.LogInformation("Rill TaskManager {TaskManagerId}: every slot was released; exiting.", id);
                }
                else
                {
                    Logger.LogWarning("Rill TaskManager {TaskManagerId}: the slots were not released within {TimeoutSeconds:0} s; exiting anyway.", id, LeaveTimeout.TotalSeconds);
                }

                await _taskManager.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Logger.LogError(e, "Rill TaskManager {TaskManagerId}: leaving failed: {Reason}", id, e.Message);
                exitCode = 1;
            }

            Environment.Exit(exitCode);
        });
    }

    public void Dispose() => _registration.Dispose();
}
