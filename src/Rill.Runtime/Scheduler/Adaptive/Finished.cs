using Rill.Runtime.Messages;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>Terminal: the job's result is set; nothing else happens.</summary>
internal sealed class Finished(AdaptiveScheduler scheduler, JobStatus status, Exception? failure) : AdaptiveSchedulerState(scheduler)
{
    public override string Name => "Finished";

    public override void OnEnter() => Context.Complete(status, failure);

    public override void Cancel()
    {
    }
}
