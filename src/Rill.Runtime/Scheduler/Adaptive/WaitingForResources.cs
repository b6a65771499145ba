using Rill.Runtime.Checkpoint;
using Rill.Runtime.Messages;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>
/// Asks for every slot there is and waits until the job has at least its minimum parallelism and the set of slots has
/// stopped changing for the stabilization timeout (so TaskManagers that start together cost one deployment, not many).
/// </summary>
internal sealed class WaitingForResources(AdaptiveScheduler scheduler, CompletedCheckpoint? restore, string? cause) : AdaptiveSchedulerState(scheduler)
{
    private int _generation;

    public override string Name => "WaitingForResources";

    public override void OnEnter()
    {
        Context.SetStatus(JobStatus.Created);
        Context.DeclareUnboundedResources();
        OnNewResources();
    }

    public override void OnNewResources()
    {
        if (Context.AvailableSlots < Scheduler.Options.MinParallelism)
        {
            return;
        }

        var generation = ++_generation;
        Context.RunLater(Scheduler.Options.ResourceStabilizationTimeout, () =>
        {
            if (IsCurrent && generation == _generation && Context.AvailableSlots >= Scheduler.Options.MinParallelism)
            {
                Scheduler.TransitionTo(new CreatingExecutionGraph(Scheduler, restore, cause));
            }
        });
    }
}
