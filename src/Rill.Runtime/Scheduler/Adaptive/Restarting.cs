using Rill.Runtime.Messages;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>
/// A task failed: cancel the rest, wait the restart strategy's delay, then run again from the latest checkpoint at the
/// parallelism the slots that are left allow (a lost TaskManager means rescaling down).
/// </summary>
internal sealed class Restarting(AdaptiveScheduler scheduler, Exception cause, TimeSpan delay) : AdaptiveSchedulerState(scheduler)
{
    private bool _waiting;

    public override string Name => "Restarting";

    /// <summary>Restarts, or fails the job when the restart strategy says so.</summary>
    public static void OrFail(AdaptiveScheduler scheduler, Exception cause)
    {
        scheduler.PauseStartedAt ??= DateTimeOffset.UtcNow;
        scheduler.TransitionTo(scheduler.Context.RestartDelayAfter(cause) is { } delay
            ? new Restarting(scheduler, cause, delay)
            : new Failing(scheduler, cause));
    }

    public override void OnEnter()
    {
        Context.SetStatus(JobStatus.Restarting);
        Context.CancelAllTasks();
        OnAllTasksTerminal();
    }

    public override void OnAllTasksTerminal()
    {
        if (_waiting || !Context.AllTasksTerminal)
        {
            return;
        }

        _waiting = true;
        Context.RunLater(delay, () =>
        {
            if (!IsCurrent)
            {
                return;
            }

            Context.ReleaseLeavingTaskManagers();
            var reason = $"restart after failure: {cause.Message}";
            Scheduler.TransitionTo(Context.AvailableSlots >= Scheduler.Options.MinParallelism
                ? new CreatingExecutionGraph(Scheduler, Context.LatestRestorePoint, reason)
                : new WaitingForResources(Scheduler, Context.LatestRestorePoint, reason));
        });
    }

    public override void OnTaskFailure(Exception failure)
    {
        // Already restarting: further failures are consequences of the first.
    }
}
