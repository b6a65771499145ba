using Rill.Runtime.Checkpoint;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>Fixes each vertex's parallelism from the slots at hand, then deploys, restoring the given checkpoint or savepoint.</summary>
internal sealed class CreatingExecutionGraph(AdaptiveScheduler scheduler, CompletedCheckpoint? restore, string? cause) : AdaptiveSchedulerState(scheduler)
{
    public override string Name => "CreatingExecutionGraph";

    public override void OnEnter()
    {
        var parallelism = Scheduler.ParallelismFor(Context.AvailableSlots);
        Scheduler.RecordDeployment(parallelism.Values.Max(), cause);
        Scheduler.TransitionTo(new Executing(Scheduler));
        Context.Deploy(parallelism, restore);
    }
}
