using Rill.Runtime.Messages;

namespace Rill.Runtime.Scheduler.Adaptive;

internal sealed class Canceling(AdaptiveScheduler scheduler) : AdaptiveSchedulerState(scheduler)
{
    public override string Name => "Canceling";

    public override void OnEnter()
    {
        Context.SetStatus(JobStatus.Canceling);
        Context.CancelAllTasks();
        OnAllTasksTerminal();
    }

    public override void OnAllTasksTerminal()
    {
        if (Context.AllTasksTerminal)
        {
            Scheduler.TransitionTo(new Finished(Scheduler, JobStatus.Canceled, null));
        }
    }

    public override void Cancel()
    {
    }
}
