using Rill.Runtime.Messages;

namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>
/// The job runs. More slots than it uses → after the stabilization timeout (and the minimum interval since the last
/// rescale) it rescales up through stop-with-savepoint; a leaving TaskManager → stop-with-savepoint and rescale without
/// it; a failure → restart from the latest checkpoint with the slots that are left.
/// </summary>
internal sealed class Executing(AdaptiveScheduler scheduler) : AdaptiveSchedulerState(scheduler)
{
    private int _generation;

    public override string Name => "Executing";

    public override void OnNewResources()
    {
        if (Scheduler.JobParallelismFor(Context.AvailableSlots) <= Scheduler.CurrentParallelism)
        {
            return;
        }

        var generation = ++_generation;
        var sinceLast = DateTimeOffset.UtcNow - Scheduler.LastRescale;
        var wait = Scheduler.Options.ResourceStabilizationTimeout;
        if (sinceLast < Scheduler.Options.MinRescaleInterval)
        {
            wait = TimeSpan.FromTicks(Math.Max(wait.Ticks, (Scheduler.Options.MinRescaleInterval - sinceLast).Ticks));
        }

        Context.RunLater(wait, () =>
        {
            var target = Scheduler.JobParallelismFor(Context.AvailableSlots);
            if (IsCurrent && generation == _generation && target > Scheduler.CurrentParallelism)
            {
                Scheduler.TransitionTo(new StopWithSavepoint(Scheduler, $"TaskManager added: {Context.AvailableSlots} slots available"));
            }
        });
    }

    public override void OnTaskManagerLeaving(string taskManagerId) =>
        Scheduler.TransitionTo(new StopWithSavepoint(Scheduler, $"TaskManager {taskManagerId} is leaving"));

    public override void OnTaskFailure(Exception cause) => Restarting.OrFail(Scheduler, cause);

    public override void OnAllTasksTerminal()
    {
        // Only a bounded job gets here by itself: every task finished after its input ended.
        if (Context.AllTasksFinished)
        {
            Scheduler.TransitionTo(new Finished(Scheduler, JobStatus.Finished, null));
        }
    }
}
