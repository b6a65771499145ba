namespace Rill.Runtime.Scheduler.Adaptive;

/// <summary>
/// One state of the adaptive scheduler (Flink's scheduler/adaptive: one class per state). Each reacts to the events
/// that matter in it; the default for the rest is to ignore them. Transitions go through <see cref="AdaptiveScheduler.TransitionTo"/>.
/// </summary>
internal abstract class AdaptiveSchedulerState(AdaptiveScheduler scheduler)
{
    protected AdaptiveScheduler Scheduler { get; } = scheduler;

    protected IAdaptiveSchedulerContext Context => Scheduler.Context;

    /// <summary>False once the scheduler moved on: timers and callbacks of an old state must do nothing.</summary>
    protected bool IsCurrent => ReferenceEquals(Scheduler.State, this);

    public abstract string Name { get; }

    public virtual void OnEnter()
    {
    }

    /// <summary>Slots were offered to the job.</summary>
    public virtual void OnNewResources()
    {
    }

    /// <summary>A TaskManager holding the job's slots asked to leave.</summary>
    public virtual void OnTaskManagerLeaving(string taskManagerId)
    {
    }

    /// <summary>A task failed (or was lost with its TaskManager).</summary>
    public virtual void OnTaskFailure(Exception cause)
    {
    }

    /// <summary>Every task of the current attempt reached a terminal state.</summary>
    public virtual void OnAllTasksTerminal()
    {
    }

    public virtual void Cancel() => Scheduler.TransitionTo(new Canceling(Scheduler));

    public override string ToString() => Name;
}
