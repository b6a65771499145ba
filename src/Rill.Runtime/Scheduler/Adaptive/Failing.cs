using Rill.Runtime.Messages;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>The restart strategy gave up: cancel what still runs, then the job is FAILED with the cause.</summary>
internal sealed class Failing(AdaptiveScheduler scheduler, Exception cause) : AdaptiveSchedulerState(scheduler)
{
    public override string Name => "Failing";

    public override void OnEnter()
    {
        Context.SetStatus(JobStatus.Failing);
        Context.CancelAllTasks();
        OnAllTasksTerminal();
    }

    public override void OnAllTasksTerminal()
    {
        if (Context.AllTasksTerminal)
        {
            Scheduler.TransitionTo(new Finished(Scheduler, JobStatus.Failed, cause));
        }
    }

    public override void Cancel()
    {
    }
}
