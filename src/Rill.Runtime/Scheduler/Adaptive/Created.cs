namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>The job was submitted; nothing is requested yet.</summary>
internal sealed class Created(AdaptiveScheduler scheduler) : AdaptiveSchedulerState(scheduler)
{
    public override string Name => "Created";

    public override void Cancel() => Scheduler.TransitionTo(new Finished(Scheduler, Messages.JobStatus.Canceled, null));
}
